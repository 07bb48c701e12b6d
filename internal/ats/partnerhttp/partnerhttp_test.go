package partnerhttp_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"switchboard/internal/ats"
	"switchboard/internal/ats/partnerhttp"
)

// keyCore accepts one key, as the core would; everything else it does is
// out of this package's reach.
type keyCore struct{ ats.PartnerCore }

func (keyCore) Authenticate(_ context.Context, h http.Header) (ats.Config, error) {
	if h.Get("Authorization") != "Bearer good" {
		return ats.Config{}, ats.Refuse(http.StatusUnauthorized, "the key is wrong")
	}
	return ats.Config{}, nil
}

type errBody struct {
	Status  int
	Message string
}

func TestServer(t *testing.T) {
	t.Parallel()
	boom := errors.New("database on fire")
	cases := []struct {
		name      string
		auth      ats.InboundAuth
		status    func(int) int
		key, body string
		handle    error // what the endpoint fails with after reading the body
		want      int
		wantBody  string
		challenge string
	}{
		{"ok", ats.InboundBearer, nil, "good", "{}", nil, 200, `"ok"`, ""},
		{"bearer refused", ats.InboundBearer, nil, "bad", "{}", nil, 401, `{"Status":401,"Message":"the key is wrong"}`, `Bearer realm="switchboard"`},
		{"basic refused", ats.InboundBasic, nil, "", "{}", nil, 401, `"the key is wrong"`, `Basic realm="switchboard"`},
		{"too large", ats.InboundBearer, nil, "good", strings.Repeat("x", 65), nil, 413, "the body is larger than 64 bytes", ""},
		{"refusal", ats.InboundBearer, nil, "good", "{}", ats.Refuse(409, "again"), 409, `{"Status":409,"Message":"again"}`, ""},
		{"refusal mapped", ats.InboundBearer, func(int) int { return 422 }, "good", "{}", ats.Refuse(409, "again"), 422, `{"Status":422,"Message":"again"}`, ""},
		{"failure hidden", ats.InboundBearer, func(int) int { return 422 }, "good", "{}", boom, 500, `"Message":"` + partnerhttp.DefaultInternal + `"`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := &partnerhttp.Server{PC: keyCore{}, Name: "test", Auth: tc.auth, MaxBody: 64, Status: tc.status,
				Body: func(status int, msg string) any { return errBody{status, msg} }}
			h := s.Authed(func(w http.ResponseWriter, r *http.Request, _ ats.Config) {
				if _, err := s.ReadBody(w, r); err != nil {
					s.Fail(w, r, err)
					return
				}
				if tc.handle != nil {
					s.Fail(w, r, tc.handle)
					return
				}
				partnerhttp.WriteJSON(w, 200, "ok")
			})
			r := httptest.NewRequest("POST", "/x", strings.NewReader(tc.body))
			if tc.key != "" {
				r.Header.Set("Authorization", "Bearer "+tc.key)
			}
			w := httptest.NewRecorder()
			h(w, r)
			got, _ := io.ReadAll(w.Result().Body)
			if w.Code != tc.want || !strings.Contains(string(got), tc.wantBody) || strings.Contains(string(got), boom.Error()) {
				t.Errorf("%d %s, want %d containing %s", w.Code, got, tc.want, tc.wantBody)
			}
			if c := w.Header().Get("WWW-Authenticate"); c != tc.challenge {
				t.Errorf("WWW-Authenticate %q, want %q", c, tc.challenge)
			}
			if ct, cc := w.Header().Get("Content-Type"), w.Header().Get("Cache-Control"); ct != "application/json" || cc != "no-store" {
				t.Errorf("Content-Type %q, Cache-Control %q", ct, cc)
			}
		})
	}
}
