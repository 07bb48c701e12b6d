package vendorapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"switchboard/internal/openapicheck"
	"switchboard/internal/vendorapi/result"
)

var docValidator = sync.OnceValues(func() (*openapicheck.Validator, error) {
	doc, err := OpenAPI()
	if err != nil {
		return nil, err
	}
	return openapicheck.New(doc)
})

// checkExchange fails t when the answer w to r is not one the document
// describes for r's operation (status and body), or when r was accepted
// but the document refuses it (a vendor's client built from the document
// could not send it).
func checkExchange(t testing.TB, r req, w *httptest.ResponseRecorder) {
	t.Helper()
	v, err := docValidator()
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Response(r.request(), w.Result()); err != nil {
		t.Error(err)
	}
	if w.Code < 400 {
		if err := v.Request(r.request()); err != nil {
			t.Errorf("accepted, but: %v", err)
		}
	}
}

// TestDocumentIsValid loads the document with libopenapi-validator, which
// refuses anything but a valid OpenAPI 3.1 document.
func TestDocumentIsValid(t *testing.T) {
	t.Parallel()
	if _, err := docValidator(); err != nil {
		t.Fatal(err)
	}
}

type docOps map[string]map[string]json.RawMessage // path → method → operation

func documentOps(t *testing.T) docOps {
	t.Helper()
	b, err := OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths docOps `json:"paths"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Paths
}

// TestRoutesMatchDocument: every route the handler serves is in the
// document, and every operation of the document is routed to an operation
// (a request without a key reaches its authentication: 401, not the 404 or
// 405 of no route).
func TestRoutesMatchDocument(t *testing.T) {
	t.Parallel()
	var patterns []string
	s, err := build(Config{Vendors: &fakeVendors{}, Orders: &fakeOrders{}}, func(p string) { patterns = append(patterns, p) })
	if err != nil {
		t.Fatal(err)
	}
	ops := documentOps(t)
	var documented []string
	for path, methods := range ops {
		for m := range methods {
			documented = append(documented, strings.ToUpper(m)+" "+Prefix+path)
		}
	}
	meta := []string{"GET " + Prefix + "/openapi.json", "GET " + Prefix + "/docs", Prefix + "/"}
	for _, p := range patterns {
		if !slices.Contains(documented, p) && !slices.Contains(meta, p) {
			t.Errorf("route %q is served but not in the document", p)
		}
	}
	param := regexp.MustCompile(`\{[^}]+\}`)
	for _, op := range documented {
		if !slices.Contains(patterns, op) {
			t.Errorf("operation %q is documented but not routed", op)
		}
		method, path, _ := strings.Cut(op, " ")
		path = param.ReplaceAllStringFunc(path, func(p string) string {
			if p == "{kind}" {
				return "assessments"
			}
			return "x"
		})
		w := httptest.NewRecorder()
		var body *bytes.Reader
		if method != http.MethodGet && method != http.MethodDelete {
			body = bytes.NewReader([]byte(`{}`))
		} else {
			body = bytes.NewReader(nil)
		}
		s.mux.ServeHTTP(w, httptest.NewRequest(method, path, body))
		if w.Code != http.StatusUnauthorized {
			t.Errorf("%s %s without a key: %d, want 401 from its operation: %s", method, path, w.Code, w.Body)
		}
	}
	if len(documented) < 13 {
		t.Errorf("the document has %d operations: %q", len(documented), documented)
	}
}

// TestResultBodyDocumented: the document describes the body result.Parse
// reads: every field of result.Body, score numbers as string or number, no
// other property, and JSON only (huma's raw body is not on the wire).
func TestResultBodyDocumented(t *testing.T) {
	t.Parallel()
	b, err := OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]struct {
			RequestBody struct {
				Content map[string]json.RawMessage `json:"content"`
			} `json:"requestBody"`
		} `json:"paths"`
		Components struct {
			Schemas map[string]struct {
				Properties           map[string]json.RawMessage `json:"properties"`
				AdditionalProperties *bool                      `json:"additionalProperties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	content := doc.Paths["/unified/ats/{kind}/orders/{id}/result"]["patch"].RequestBody.Content
	if len(content) != 1 || !strings.Contains(string(content["application/json"]), "#/components/schemas/ResultUpdate") {
		t.Errorf("result request body content %s, want application/json ResultUpdate only", content)
	}
	body := doc.Components.Schemas["ResultUpdate"]
	want := jsonFields(reflect.TypeFor[result.Body]())
	for _, f := range want {
		if _, ok := body.Properties[f]; !ok {
			t.Errorf("ResultUpdate lacks %s", f)
		}
	}
	if len(body.Properties) != len(want) || body.AdditionalProperties == nil || *body.AdditionalProperties {
		t.Errorf("ResultUpdate has %d properties (want %d) and additionalProperties %v, want false", len(body.Properties), len(want), body.AdditionalProperties)
	}
	score := string(doc.Components.Schemas["ResultScore"].Properties["value"])
	if !strings.Contains(score, `"oneOf"`) || !strings.Contains(score, `"string"`) || !strings.Contains(score, `"number"`) {
		t.Errorf("score.value schema %s, want string or number", score)
	}
}

// jsonFields are the JSON names of a struct type's fields.
func jsonFields(t reflect.Type) []string {
	var out []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		out = append(out, name)
	}
	return out
}
