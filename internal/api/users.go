package api

import (
	"net/http"
	"time"

	"switchboard/internal/core"
)

// The user and API key routes: roles, deactivation, passwords, set-password
// links and keys. The service applies the role rules; a user may manage
// their own password and keys.
func (h *handler) registerUsers(mux *http.ServeMux) {
	auth := h.authenticated
	mux.Handle("GET /api/v1/users", auth(h.listUsers))
	mux.Handle("GET /api/v1/users/{id}", auth(h.getUser))
	mux.Handle("PATCH /api/v1/users/{id}", auth(h.updateUser))
	mux.Handle("POST /api/v1/users/{id}/deactivate", auth(h.setActive(false)))
	mux.Handle("POST /api/v1/users/{id}/reactivate", auth(h.setActive(true)))
	mux.Handle("PUT /api/v1/users/{id}/password", auth(h.setPassword))
	mux.Handle("POST /api/v1/users/{id}/password-link", auth(h.passwordLink))
	mux.Handle("GET /api/v1/users/{id}/keys", auth(h.listKeys))
	mux.Handle("POST /api/v1/users/{id}/keys", auth(h.newKey))
	mux.Handle("DELETE /api/v1/users/{id}/keys/{key}", auth(h.revokeKey))
	mux.Handle("POST /api/v1/users/{id}/keys/{key}/rotate", auth(h.rotateKey))
}

type keyOut struct {
	ID         string     `json:"id"`
	UserID     string     `json:"user_id"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

func keyJSON(k core.APIKey) keyOut {
	return keyOut{ID: k.ID, UserID: k.UserID, Prefix: k.Prefix, CreatedAt: k.CreatedAt, LastUsedAt: ts(k.LastUsedAt)}
}

func (h *handler) listUsers(w http.ResponseWriter, r *http.Request) {
	us, err := h.id.Users(r.Context(), actor(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]userOut, 0, len(us))
	for _, u := range us {
		out = append(out, userJSON(u))
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": out})
}

func (h *handler) getUser(w http.ResponseWriter, r *http.Request) {
	u, err := h.id.User(r.Context(), actor(r), pathID(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, userJSON(u))
}

func (h *handler) updateUser(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Role string `json:"role"`
	}
	if err := decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	a := actor(r)
	u, err := h.id.SetRole(r.Context(), &a, pathID(r), core.Role(in.Role))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, userJSON(u))
}

func (h *handler) setActive(active bool) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		a := actor(r)
		u, err := h.id.SetActive(r.Context(), &a, pathID(r), active)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, userJSON(u))
	}
}

func (h *handler) setPassword(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Password string `json:"password"`
	}
	if err := decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	a := actor(r)
	if err := h.id.SetPassword(r.Context(), &a, pathID(r), in.Password); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) passwordLink(w http.ResponseWriter, r *http.Request) {
	a := actor(r)
	link, expires, err := h.id.PasswordResetLink(r.Context(), &a, pathID(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"url": link, "expires_at": expires,
		"note": "the link works once and is shown once; send it to the user"})
}

func (h *handler) listKeys(w http.ResponseWriter, r *http.Request) {
	a := actor(r)
	ks, err := h.id.APIKeys(r.Context(), &a, pathID(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]keyOut, 0, len(ks))
	for _, k := range ks {
		out = append(out, keyJSON(k))
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": out})
}

func (h *handler) newKey(w http.ResponseWriter, r *http.Request) {
	a := actor(r)
	k, key, err := h.id.NewAPIKey(r.Context(), &a, pathID(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"key": keyJSON(k), "api_key": key,
		"note": "the API key is shown once; store it now"})
}

func (h *handler) revokeKey(w http.ResponseWriter, r *http.Request) {
	a := actor(r)
	if err := h.id.RevokeAPIKey(r.Context(), &a, pathID(r), r.PathValue("key")); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) rotateKey(w http.ResponseWriter, r *http.Request) {
	a := actor(r)
	k, key, err := h.id.RotateAPIKey(r.Context(), &a, pathID(r), r.PathValue("key"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"key": keyJSON(k), "api_key": key,
		"note": "the old key is revoked; the new one is shown once, store it now"})
}
