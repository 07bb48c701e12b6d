package api

import (
	"net/http"

	"switchboard/internal/ats"
	"switchboard/internal/core"
	"switchboard/internal/integrations"
)

func (h *handler) listIntegrations(w http.ResponseWriter, r *http.Request) {
	views, err := h.in.Integrations(r.Context(), actor(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]integrationOut, 0, len(views))
	for _, v := range views {
		out = append(out, integrationJSON(v))
	}
	writeJSON(w, http.StatusOK, map[string]any{"integrations": out})
}

func (h *handler) createIntegration(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Provider string `json:"provider"`
		Name     string `json:"name"`
	}
	if err := decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	created, err := h.in.CreateIntegration(r.Context(), actor(r), in.Provider, in.Name)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.respondIntegration(w, r, http.StatusCreated, created.ID)
}

func (h *handler) respondIntegration(w http.ResponseWriter, r *http.Request, status int, id string) {
	h.respondUpdated(w, r, status, id, nil)
}

// respondUpdated answers with the integration and the credentials an update cleared.
func (h *handler) respondUpdated(w http.ResponseWriter, r *http.Request, status int, id string, cleared []string) {
	v, err := h.in.Integration(r.Context(), actor(r), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := integrationJSON(v)
	out.CredentialsCleared = cleared
	writeJSON(w, status, out)
}

func (h *handler) getIntegration(w http.ResponseWriter, r *http.Request) {
	h.respondIntegration(w, r, http.StatusOK, pathID(r))
}

func (h *handler) updateIntegration(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name      *string               `json:"name"`
		Patterns  []core.Pattern        `json:"patterns"`
		Settings  map[string]string     `json:"settings"`
		WriteBack *core.WriteBackConfig `json:"write_back"`
	}
	if err := decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	for _, p := range in.Patterns {
		if _, err := core.ParsePattern(string(p)); err != nil {
			h.fail(w, r, core.Invalid("patterns", err.Error()))
			return
		}
	}
	res, err := h.in.UpdateIntegration(r.Context(), actor(r), pathID(r), integrations.IntegrationPatch{
		Name: in.Name, Patterns: in.Patterns, Settings: in.Settings, WriteBack: in.WriteBack,
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.respondUpdated(w, r, http.StatusOK, pathID(r), res.ClearedCredentials)
}

func (h *handler) setCredential(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Value string `json:"value"`
	}
	if err := decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.in.SetCredential(r.Context(), actor(r), pathID(r), r.PathValue("name"), in.Value); err != nil {
		h.fail(w, r, err)
		return
	}
	h.respondIntegration(w, r, http.StatusOK, pathID(r))
}

func (h *handler) validateIntegration(w http.ResponseWriter, r *http.Request) {
	checks, err := h.in.ValidateIntegration(r.Context(), actor(r), pathID(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": ats.Passed(checks), "checks": checks})
}

func (h *handler) enableIntegration(w http.ResponseWriter, r *http.Request) {
	if _, _, err := h.in.SetEnabled(r.Context(), actor(r), pathID(r), true); err != nil {
		h.fail(w, r, err)
		return
	}
	h.respondIntegration(w, r, http.StatusOK, pathID(r))
}

func (h *handler) disableIntegration(w http.ResponseWriter, r *http.Request) {
	if _, _, err := h.in.SetEnabled(r.Context(), actor(r), pathID(r), false); err != nil {
		h.fail(w, r, err)
		return
	}
	h.respondIntegration(w, r, http.StatusOK, pathID(r))
}

// connectionToken generates the one-time token a customer's ATS admin enters
// on the consent page (ATSs that connect from their marketplace). The answer
// is the only time the token is shown.
func (h *handler) connectionToken(w http.ResponseWriter, r *http.Request) {
	tok, err := h.in.GenerateConnectionToken(r.Context(), actor(r), pathID(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, map[string]any{
		"token": tok.Token, "expires_at": tok.ExpiresAt,
		"note": "the token is shown once; it connects once and is valid until expires_at",
	})
}

// inboundKey issues the key the integration's ATS calls Switchboard with
// (connectors whose inbound auth is bearer or basic). The answer is the only
// time the key is shown; a new key replaces the previous one at once.
func (h *handler) inboundKey(w http.ResponseWriter, r *http.Request) {
	k, err := h.in.IssueInboundKey(r.Context(), actor(r), pathID(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, map[string]any{
		"key": k.Key, "issued_at": k.IssuedAt, "auth": k.Auth, "endpoint_base": k.EndpointBase,
		"urls": k.HandOver,
		"note": "the key is shown once and replaces any earlier key at once; " + integrations.HowSent(k.Auth),
	})
}

// retryInbound processes a failed inbound event again.
func (h *handler) retryInbound(w http.ResponseWriter, r *http.Request) {
	event := r.PathValue("event")
	job, err := h.svc.RetryInbound(r.Context(), actor(r), pathID(r), event)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := map[string]any{"status": "queued", "event_id": event}
	if job > 0 {
		out["job_id"] = job
	}
	writeJSON(w, http.StatusAccepted, out)
}
