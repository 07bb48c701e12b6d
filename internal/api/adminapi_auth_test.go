package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"switchboard/internal/app/apptest"
)

// everyRoute is every admin API route, with ids that need not exist: the
// API key is checked before anything else.
var everyRoute = []struct{ method, path string }{
	{"GET", "/me"},
	{"GET", "/providers"},
	{"POST", "/users"},
	{"GET", "/integrations"},
	{"POST", "/integrations"},
	{"GET", "/integrations/int_x"},
	{"PATCH", "/integrations/int_x"},
	{"PUT", "/integrations/int_x/credentials/api_key"},
	{"POST", "/integrations/int_x/validate"},
	{"POST", "/integrations/int_x/enable"},
	{"POST", "/integrations/int_x/disable"},
	{"GET", "/vacancies"},
	{"POST", "/vacancies"},
	{"GET", "/vacancies/vac_x"},
	{"PATCH", "/vacancies/vac_x"},
	{"GET", "/orders"},
	{"GET", "/orders/ord_x"},
	{"POST", "/orders/ord_x/resend-invitation"},
	{"POST", "/jobs/1/retry"},
	{"GET", "/vendors"},
	{"POST", "/vendors/vnd_x/link"},
	{"DELETE", "/vendors/vnd_x/link"},
	{"GET", "/vendors/vnd_x"},
	{"GET", "/vendors/vnd_x/deliveries"},
	{"GET", "/deliveries/msg_x"},
	{"POST", "/deliveries/msg_x/replay"},
	{"GET", "/operator/vendors"},
	{"POST", "/operator/vendors"},
	{"GET", "/operator/vendors/vnd_x"},
	{"POST", "/operator/vendors/vnd_x/keys"},
	{"DELETE", "/operator/vendors/vnd_x/keys/vkey_x"},
	{"POST", "/operator/vendors/vnd_x/disable"},
	{"POST", "/operator/vendors/vnd_x/enable"},
	{"PUT", "/operator/vendors/vnd_x/packages"},
	{"POST", "/operator/vendors/vnd_x/webhook/rotate"},
	{"PUT", "/operator/vendors/vnd_x/links/acc_x"},
	{"DELETE", "/operator/vendors/vnd_x/links/acc_x"},
}

// operatorRoutes are the routes of everyRoute for operators only.
func operatorRoutes() []struct{ method, path string } {
	var out []struct{ method, path string }
	for _, r := range everyRoute {
		if strings.HasPrefix(r.path, "/operator/") {
			out = append(out, r)
		}
	}
	return out
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	key := e.CreateAccount("Acme Corp", "admin@acme.example")

	tests := []struct {
		name          string
		authorization string
		wantStatus    int
		wantChallenge string // a substring of WWW-Authenticate
	}{
		{name: "no header", authorization: "", wantStatus: 401, wantChallenge: `Bearer realm="switchboard"`},
		{name: "basic scheme", authorization: "Basic YWRtaW46c2VjcmV0", wantStatus: 401, wantChallenge: `Bearer realm="switchboard"`},
		{name: "key without scheme", authorization: key, wantStatus: 401, wantChallenge: `Bearer realm="switchboard"`},
		{name: "empty bearer", authorization: "Bearer ", wantStatus: 401, wantChallenge: `Bearer realm="switchboard"`},
		{name: "unknown sbk key", authorization: "Bearer sbk_thisKeyWasNeverIssued0000000000", wantStatus: 401, wantChallenge: `error="invalid_token"`},
		{name: "not an sbk key", authorization: "Bearer lever-test-api-key", wantStatus: 401, wantChallenge: `error="invalid_token"`},
		{name: "key with one character changed", authorization: "Bearer " + key[:len(key)-1] + flip(key[len(key)-1]), wantStatus: 401, wantChallenge: `error="invalid_token"`},
		{name: "good key", authorization: "Bearer " + key, wantStatus: 200},
		{name: "good key with surrounding spaces", authorization: "Bearer  " + key + " ", wantStatus: 200},
		// RFC 9110 §11.1: the authentication scheme is case-insensitive.
		{name: "lower-case bearer scheme", authorization: "bearer " + key, wantStatus: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, hdr, body := raw(t, e, tt.authorization, "GET", "/me", nil)
			if status != tt.wantStatus {
				t.Fatalf("GET /me with %q: %d, want %d: %s", tt.authorization, status, tt.wantStatus, body)
			}
			if tt.wantStatus == 401 {
				if got := hdr.Get("WWW-Authenticate"); !strings.Contains(got, tt.wantChallenge) {
					t.Errorf("WWW-Authenticate = %q, want it to contain %q", got, tt.wantChallenge)
				}
				var eb errBody
				if err := json.Unmarshal([]byte(body), &eb); err != nil || eb.Error == "" {
					t.Errorf("401 body is not a JSON error: %q", body)
				}
				if strings.Contains(body, "admin@acme.example") {
					t.Errorf("401 body leaks the user: %s", body)
				}
				return
			}
			var me struct {
				ID        string `json:"id"`
				AccountID string `json:"account_id"`
				Email     string `json:"email"`
				Role      string `json:"role"`
			}
			if err := json.Unmarshal([]byte(body), &me); err != nil {
				t.Fatal(err)
			}
			if me.Email != "admin@acme.example" || me.Role != "super_admin" || !strings.HasPrefix(me.ID, "usr_") || !strings.HasPrefix(me.AccountID, "acc_") {
				t.Fatalf("/me = %+v", me)
			}
		})
	}
}

func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}

func TestEveryRouteNeedsAnAPIKey(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	for _, r := range everyRoute {
		for _, auth := range []string{"", "Bearer sbk_unknown"} {
			status, hdr, body := raw(t, e, auth, r.method, r.path, str(`{}`))
			if status != http.StatusUnauthorized || hdr.Get("WWW-Authenticate") == "" {
				t.Errorf("%s %s with %q: %d (WWW-Authenticate %q), want 401 with a challenge: %s",
					r.method, r.path, auth, status, hdr.Get("WWW-Authenticate"), body)
			}
		}
	}
}
