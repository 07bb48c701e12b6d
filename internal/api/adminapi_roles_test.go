package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/riverqueue/river/rivertype"

	"switchboard/internal/app/apptest"
	"switchboard/internal/ats/lever"
)

const (
	super   = "super_admin"
	admin   = "admin"
	team    = "team_member"
	limited = "limited_team_member"
)

var allRoles = []string{super, admin, team, limited}

// createUser adds a user through POST /users and returns their API key,
// checking that the key authenticates as that user.
func createUser(t *testing.T, e *apptest.Env, creatorKey, email, role string) string {
	t.Helper()
	var out struct {
		User struct {
			Email string `json:"email"`
			Role  string `json:"role"`
		} `json:"user"`
		APIKey string `json:"api_key"`
	}
	e.MustAPI(http.StatusCreated, creatorKey, "POST", "/users", map[string]string{"email": email, "name": role + " user", "role": role}, &out)
	if out.User.Email != email || out.User.Role != role || out.APIKey == "" {
		t.Fatalf("POST /users %s %s: %+v", email, role, out)
	}
	var me struct {
		Email string `json:"email"`
		Role  string `json:"role"`
	}
	e.MustAPI(http.StatusOK, out.APIKey, "GET", "/me", nil, &me)
	if me.Email != email || me.Role != role {
		t.Fatalf("the new %s key authenticates as %+v", role, me)
	}
	return out.APIKey
}

// jobOf returns a job of the order in one of states.
func jobOf(t *testing.T, e *apptest.Env, orderID, kind string, states ...rivertype.JobState) int64 {
	t.Helper()
	if len(states) == 0 {
		states = []rivertype.JobState{rivertype.JobStateCompleted}
	}
	jobs, err := e.App.Queue.List(context.Background(), 100, states...)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		var a struct {
			OrderID string `json:"order_id"`
		}
		_ = json.Unmarshal(j.EncodedArgs, &a)
		if a.OrderID == orderID && j.Kind == kind {
			return j.ID
		}
	}
	t.Fatalf("no %v %s job for order %s", states, kind, orderID)
	return 0
}

// failedInvitation orders an assessment for a candidate whose invitation
// email the mail server refuses for good, and returns the order and its
// cancelled (given up) send_invitation job: a job a person would retry.
func failedInvitation(t *testing.T, e *apptest.Env, f apptest.LeverFixture, name, email string) (orderJSON, int64) {
	t.Helper()
	e.Mail.RejectNext(550, "mailbox unavailable")
	applyAndTrigger(t, e, name, email, f.PostingID)
	o := orderFor(t, e, f.APIKey, email)
	return o, jobOf(t, e, o.ID, "send_invitation", rivertype.JobStateCancelled)
}

func jobState(t *testing.T, e *apptest.Env, id int64) rivertype.JobState {
	t.Helper()
	j, err := e.App.Queue.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return j.State
}

// TestRoleMatrix checks every endpoint for every role against the README's
// "who" column: forbidden is 403, allowed is the endpoint's own answer.
func TestRoleMatrix(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupLever(apptest.LeverOptions{})
	applyAndTrigger(t, e, "Ada Lovelace", "ada@example.com", f.PostingID)
	order := orderFor(t, e, f.APIKey, "ada@example.com")

	keys := map[string]string{super: f.APIKey}
	for _, r := range []string{admin, team, limited} {
		keys[r] = createUser(t, e, f.APIKey, r+"-user@acme.example", r)
	}

	const forbidden = http.StatusForbidden
	in := "/integrations/" + f.IntegrationID

	tests := []struct {
		method, path string
		body         func(role string) any // the request body a role sends
		want         map[string]int
	}{
		{"GET", "/me", nil, map[string]int{super: 200, admin: 200, team: 200, limited: 200}},
		{"GET", "/providers", nil, map[string]int{super: 200, admin: 200, team: 200, limited: 200}},
		{"POST", "/users", func(role string) any {
			return map[string]string{"email": "new-by-" + role + "@acme.example", "role": team}
		}, map[string]int{super: 201, admin: 201, team: forbidden, limited: forbidden}},
		{"GET", "/integrations", nil, map[string]int{super: 200, admin: 200, team: 200, limited: forbidden}},
		// The account already has its Lever integration: a super admin gets
		// past the role check to the conflict.
		{"POST", "/integrations", func(string) any { return map[string]string{"provider": "lever"} },
			map[string]int{super: 409, admin: forbidden, team: forbidden, limited: forbidden}},
		{"GET", in, nil, map[string]int{super: 200, admin: 200, team: 200, limited: forbidden}},
		{"PATCH", in, func(role string) any { return map[string]any{"name": "Lever by " + role} },
			map[string]int{super: 200, admin: forbidden, team: forbidden, limited: forbidden}},
		{"PUT", in + "/credentials/" + lever.CredentialAPIKey, func(string) any { return map[string]string{"value": apptest.LeverAPIKey} },
			map[string]int{super: 200, admin: forbidden, team: forbidden, limited: forbidden}},
		{"POST", in + "/validate", nil, map[string]int{super: 200, admin: forbidden, team: forbidden, limited: forbidden}},
		{"POST", in + "/disable", nil, map[string]int{super: 200, admin: forbidden, team: forbidden, limited: forbidden}},
		{"POST", in + "/enable", nil, map[string]int{super: 200, admin: forbidden, team: forbidden, limited: forbidden}},
		{"GET", "/vacancies", nil, map[string]int{super: 200, admin: 200, team: 200, limited: 200}},
		{"GET", "/vacancies/" + f.VacancyID, nil, map[string]int{super: 200, admin: 200, team: 200, limited: 200}},
		{"POST", "/vacancies", func(role string) any { return map[string]any{"name": "Vacancy by " + role} },
			map[string]int{super: 201, admin: 201, team: forbidden, limited: forbidden}},
		{"PATCH", "/vacancies/" + f.VacancyID, func(role string) any { return map[string]any{"name": "Support by " + role} },
			map[string]int{super: 200, admin: 200, team: forbidden, limited: forbidden}},
		{"GET", "/orders", nil, map[string]int{super: 200, admin: 200, team: 200, limited: 200}},
		{"GET", "/orders/" + order.ID, nil, map[string]int{super: 200, admin: 200, team: 200, limited: 200}},
		{"POST", "/orders/" + order.ID + "/resend-invitation", nil, map[string]int{super: 202, admin: 202, team: 202, limited: forbidden}},
		// The role is checked before the job is looked up (TestRetryJobRoles
		// retries real failed jobs).
		{"POST", "/jobs/999999/retry", nil, map[string]int{super: 404, admin: 404, team: 404, limited: forbidden}},
	}
	// The operator routes are no role's: none of these users is an
	// operator (TestOperatorRoutesNeedAnOperator has one).
	for _, r := range operatorRoutes() {
		tests = append(tests, struct {
			method, path string
			body         func(role string) any
			want         map[string]int
		}{r.method, r.path, nil, map[string]int{super: forbidden, admin: forbidden, team: forbidden, limited: forbidden}})
	}
	for _, tt := range tests {
		for _, role := range allRoles {
			want := tt.want[role]
			var body any
			if tt.body != nil {
				body = tt.body(role)
			}
			var out json.RawMessage
			got := e.API(keys[role], tt.method, tt.path, body, &out)
			if got != want {
				t.Errorf("%s %s as %s: %d, want %d: %s", tt.method, tt.path, role, got, want, out)
				continue
			}
			if got == forbidden {
				var eb errBody
				if err := json.Unmarshal(out, &eb); err != nil || eb.Error == "" {
					t.Errorf("%s %s as %s: 403 without a JSON error: %s", tt.method, tt.path, role, out)
				}
			}
		}
	}
	e.WaitIdle()

	// Refused requests changed nothing: the integration is enabled with the
	// super admin's name, the vacancy has the admin's (the last allowed).
	got := getIntegration(t, e, f.APIKey, f.IntegrationID)
	if got.Status != "enabled" || got.Name != "Lever by super_admin" {
		t.Errorf("after the matrix the integration is %q named %q, want enabled named \"Lever by super_admin\"", got.Status, got.Name)
	}
	var vac struct {
		Name string `json:"name"`
	}
	e.MustAPI(http.StatusOK, f.APIKey, "GET", "/vacancies/"+f.VacancyID, nil, &vac)
	if vac.Name != "Support by admin" {
		t.Errorf("vacancy name %q, want \"Support by admin\"", vac.Name)
	}
	var vs struct {
		Vacancies []struct {
			Name string `json:"name"`
		} `json:"vacancies"`
	}
	e.MustAPI(http.StatusOK, f.APIKey, "GET", "/vacancies", nil, &vs)
	names := fmt.Sprint(vs.Vacancies)
	if len(vs.Vacancies) != 3 || strings.Contains(names, "by team_member") || strings.Contains(names, "by limited") {
		t.Errorf("vacancies after the matrix: %s, want the fixture's and the two created by admins", names)
	}
}

// TestRetryJobRoles retries a failed job as each role: everyone but a limited
// team member may, and a retried invitation is then sent.
func TestRetryJobRoles(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupLever(apptest.LeverOptions{})
	keys := map[string]string{super: f.APIKey}
	for _, r := range []string{admin, team, limited} {
		keys[r] = createUser(t, e, f.APIKey, r+"-user@acme.example", r)
	}
	for i, role := range allRoles {
		email := fmt.Sprintf("candidate%d@example.com", i)
		_, job := failedInvitation(t, e, f, fmt.Sprintf("Candidate %d", i), email)
		path := fmt.Sprintf("/jobs/%d/retry", job)
		if role == limited {
			apiErr(t, e, http.StatusForbidden, keys[role], "POST", path, nil)
			e.WaitIdle()
			if st := jobState(t, e, job); st != rivertype.JobStateCancelled {
				t.Errorf("a refused retry changed the job to %s", st)
			}
			continue
		}
		e.MustAPI(http.StatusAccepted, keys[role], "POST", path, nil, nil)
		e.WaitIdle()
		if st := jobState(t, e, job); st != rivertype.JobStateCompleted {
			t.Errorf("retried as %s: job is %s, want completed", role, st)
		}
		sent := 0
		for _, m := range e.Mail.Messages() {
			if m.To[0] == email {
				sent++
			}
		}
		if sent != 1 {
			t.Errorf("retried as %s: %d invitations to %s, want 1", role, sent, email)
		}
		// Once it has done its work the job is not failed: no second run.
		apiErr(t, e, http.StatusConflict, keys[role], "POST", path, nil)
	}
}

func TestCreateUserRoleRules(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	superKey := e.CreateAccount("Acme Corp", "admin@acme.example")
	adminKey := createUser(t, e, superKey, "a@acme.example", admin)

	// Only a super admin may create a super admin.
	apiErr(t, e, http.StatusForbidden, adminKey, "POST", "/users", map[string]string{"email": "s@acme.example", "role": super})
	createUser(t, e, superKey, "s@acme.example", super)

	// An admin may create every other role.
	for _, r := range []string{admin, team, limited} {
		createUser(t, e, adminKey, "by-admin-"+r+"@acme.example", r)
	}

	// A user's email is unique (TestEmailTakenElsewhereIsNotRevealed has more).
	apiErr(t, e, http.StatusUnprocessableEntity, superKey, "POST", "/users", map[string]string{"email": "a@acme.example", "role": team})
}

// TestLimitedTeamMemberSeesOrdersButNoConfiguration is the README's promise in
// one place: a limited team member reads orders and their detail, never
// integrations (which carry settings and credential state).
func TestLimitedTeamMemberSeesOrdersButNoConfiguration(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupLever(apptest.LeverOptions{})
	applyAndTrigger(t, e, "Grace Hopper", "grace@example.com", f.PostingID)
	key := createUser(t, e, f.APIKey, "viewer@acme.example", limited)

	l := listOrders(t, e, key, nil)
	if l.Total != 1 || len(l.Orders) != 1 || l.Orders[0].CandidateEmail != "grace@example.com" {
		t.Fatalf("limited team member's orders: %+v", l)
	}
	var detail struct {
		Order    orderJSON         `json:"order"`
		Timeline []json.RawMessage `json:"timeline"`
	}
	e.MustAPI(http.StatusOK, key, "GET", "/orders/"+l.Orders[0].ID, nil, &detail)
	if detail.Order.State != "invited" || len(detail.Timeline) == 0 {
		t.Fatalf("order detail: %+v", detail)
	}
	for _, path := range []string{"/integrations", "/integrations/" + f.IntegrationID} {
		status, _, body := raw(t, e, "Bearer "+key, "GET", path, nil)
		if status != http.StatusForbidden {
			t.Errorf("GET %s as limited team member: %d, want 403: %s", path, status, body)
		}
		if strings.Contains(body, f.IntegrationID) || strings.Contains(body, e.LeverURL) {
			t.Errorf("GET %s as limited team member leaks the integration: %s", path, body)
		}
	}
}
