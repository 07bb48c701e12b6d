package workablesim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"unicode/utf8"

	"switchboard/internal/ats/workable"
)

// The account's candidate custom attributes (Settings → Workflow →
// Candidate custom fields) and their values per candidate: GET
// /custom_attributes and PATCH /candidates/:id/update_custom_attribute_value
// [V], both with the scope r_jobs as Workable's reference says.

// AddCustomAttribute defines a candidate custom attribute of type typ
// (workable.AttrShortText, …) with the provider "User", so the API may
// write it; enabled as given.
func (s *Server) AddCustomAttribute(subdomain, typ, label string, enabled bool) workable.CustomAttribute {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.account(subdomain)
	ca := workable.CustomAttribute{ID: randomHex(4), Type: typ, Enabled: enabled, Label: label}
	a.attributes = append(a.attributes, ca)
	return ca
}

// CustomValues are a candidate's custom attribute values by key, each as
// the JSON Workable stored ("\"Completed\"", 82).
func (s *Server) CustomValues(subdomain, candidateID string) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	for k, v := range s.account(subdomain).values[candidateID] {
		out[k] = string(v)
	}
	return out
}

// AttributeWrites is how many values were written, accepted or not.
func (s *Server) AttributeWrites() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attrWrites
}

func (s *Server) listCustomAttributes(w http.ResponseWriter, _ *http.Request, a *account) {
	writeJSON(w, http.StatusOK, workable.CustomAttributesPage{CustomAttributes: nonNil(a.attributes)})
}

// setCustomAttribute validates the value against the attribute's type as
// Workable documents it: a string for the text types (at most 128
// characters for short text), a number for numeric, checked for boolean.
// The other types' bodies are not modelled and are refused. Refusals are
// 422 [I].
func (s *Server) setCustomAttribute(w http.ResponseWriter, r *http.Request, a *account) {
	s.attrWrites++
	c, ok := a.candidate(r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, "Not found")
		return
	}
	var in struct {
		Key     string          `json:"custom_attribute_key"`
		Value   json.RawMessage `json:"value"`
		Checked json.RawMessage `json:"checked"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "Invalid JSON: "+err.Error())
		return
	}
	var attr *workable.CustomAttribute
	for i := range a.attributes {
		if a.attributes[i].ID == in.Key {
			attr = &a.attributes[i]
		}
	}
	switch {
	case in.Key == "":
		writeError(w, http.StatusUnprocessableEntity, "custom_attribute_key is required")
		return
	case attr == nil:
		writeError(w, http.StatusUnprocessableEntity, fmt.Sprintf("custom attribute %q does not exist", in.Key))
		return
	case !attr.Enabled:
		writeError(w, http.StatusUnprocessableEntity, fmt.Sprintf("custom attribute %q is disabled", in.Key))
		return
	}
	val := bytes.TrimSpace(in.Value)
	if problem := checkValue(attr.Type, val, bytes.TrimSpace(in.Checked)); problem != "" {
		writeError(w, http.StatusUnprocessableEntity, problem)
		return
	}
	if attr.Type == workable.AttrBoolean {
		val = bytes.TrimSpace(in.Checked)
	}
	if a.values[string(c.ID)] == nil {
		a.values[string(c.ID)] = map[string]json.RawMessage{}
	}
	a.values[string(c.ID)][attr.ID] = append(json.RawMessage(nil), val...)
	writeJSON(w, http.StatusOK, map[string]any{})
}

func checkValue(typ string, val, checked []byte) string {
	switch typ {
	case workable.AttrShortText, workable.AttrFreeText:
		var s string
		if len(val) == 0 || val[0] != '"' || json.Unmarshal(val, &s) != nil {
			return "value must be a string"
		}
		if typ == workable.AttrShortText && utf8.RuneCountInString(s) > workable.MaxShortText {
			return fmt.Sprintf("value is too long (maximum is %d characters)", workable.MaxShortText)
		}
	case workable.AttrNumeric:
		var n json.Number
		if len(val) == 0 || val[0] == '"' || json.Unmarshal(val, &n) != nil {
			return "value must be a number"
		}
	case workable.AttrBoolean:
		if s := string(checked); s != "true" && s != "false" && s != `"true"` && s != `"false"` {
			return "checked must be true or false"
		}
	default:
		return fmt.Sprintf("custom attributes of type %s are not written by this simulator", typ)
	}
	return ""
}
