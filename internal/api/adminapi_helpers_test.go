package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"switchboard/internal/app/apptest"
	"switchboard/internal/ats"
	"switchboard/internal/ats/lever"
)

// errBody is the admin API's error shape.
type errBody struct {
	Error  string            `json:"error"`
	Fields map[string]string `json:"fields"`
	Checks []ats.Check       `json:"checks"`
}

type integrationJSON struct {
	ID          string            `json:"id"`
	Provider    string            `json:"provider"`
	Name        string            `json:"name"`
	Status      string            `json:"status"`
	Patterns    []string          `json:"patterns"`
	Settings    map[string]string `json:"settings"`
	WebhookURL  string            `json:"webhook_url"`
	Credentials []struct {
		Name     string `json:"name"`
		Required bool   `json:"required"`
		Set      bool   `json:"set"`
		SetAt    string `json:"set_at"`
	} `json:"credentials"`
}

func (in integrationJSON) credential(t *testing.T, name string) (set bool, setAt string) {
	t.Helper()
	for _, c := range in.Credentials {
		if c.Name == name {
			return c.Set, c.SetAt
		}
	}
	t.Fatalf("integration %s lists no credential %q: %+v", in.ID, name, in.Credentials)
	return false, ""
}

type orderJSON struct {
	ID             string `json:"id"`
	IntegrationID  string `json:"integration_id"`
	VacancyID      string `json:"vacancy_id"`
	VacancyName    string `json:"vacancy_name"`
	CandidateName  string `json:"candidate_name"`
	CandidateEmail string `json:"candidate_email"`
	State          string `json:"state"`
	CreatedAt      string `json:"created_at"`
	Test           bool   `json:"test"`
}

type orderList struct {
	Orders []orderJSON `json:"orders"`
	Total  int         `json:"total"`
	Limit  int         `json:"limit"`
	Offset int         `json:"offset"`
}

func (l orderList) ids() []string {
	out := make([]string, 0, len(l.Orders))
	for _, o := range l.Orders {
		out = append(out, o.ID)
	}
	return out
}

// raw sends body as is (nil for none) with the Authorization header as
// given ("" for none) and returns status, headers and body.
func raw(t *testing.T, e *apptest.Env, authorization, method, path string, body *string) (int, http.Header, string) {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = strings.NewReader(*body)
	}
	req, err := http.NewRequest(method, e.URL+"/api/v1"+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

func str(s string) *string { return &s }

// apiErr calls the API expecting status want and returns the decoded error body.
func apiErr(t *testing.T, e *apptest.Env, want int, key, method, path string, in any) errBody {
	t.Helper()
	var out errBody
	var rawOut json.RawMessage
	if got := e.API(key, method, path, in, &rawOut); got != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, got, want, rawOut)
	}
	if err := json.Unmarshal(rawOut, &out); err != nil {
		t.Fatalf("%s %s: decode error body %s: %v", method, path, rawOut, err)
	}
	if out.Error == "" {
		t.Errorf("%s %s: error body without an error message: %s", method, path, rawOut)
	}
	return out
}

func getIntegration(t *testing.T, e *apptest.Env, key, id string) integrationJSON {
	t.Helper()
	var in integrationJSON
	e.MustAPI(http.StatusOK, key, "GET", "/integrations/"+id, nil, &in)
	return in
}

func listOrders(t testing.TB, e *apptest.Env, key string, q url.Values) orderList {
	t.Helper()
	var l orderList
	path := "/orders"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	e.MustAPI(http.StatusOK, key, "GET", path, nil, &l)
	return l
}

func triggerStageID(t testing.TB, e *apptest.Env) string {
	t.Helper()
	for _, s := range e.Lever.Stages() {
		if s.Text == apptest.TriggerStageName {
			return s.ID
		}
	}
	t.Fatalf("the simulator has no %q stage", apptest.TriggerStageName)
	return ""
}

// applyAndTrigger does what a recruiter does in Lever: a candidate applies to
// the posting and is moved to the trigger stage. It waits until Switchboard
// has worked every job, moves the clock on two seconds and returns the Lever
// opportunity id.
func applyAndTrigger(t testing.TB, e *apptest.Env, name, email, postingID string) string {
	t.Helper()
	ctx := context.Background()
	opp, _, err := e.Lever.CreateOpportunity(ctx, name, email, postingID)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := e.Lever.MoveStage(ctx, opp.ID, triggerStageID(t, e))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.StatusCode != http.StatusOK {
			t.Fatalf("webhook delivery to %s: %d %v", d.URL, d.StatusCode, d.Err)
		}
	}
	e.WaitIdle()
	// The recruiter's next action comes a little later. The simulator's rate
	// limit runs on the shared test clock, which otherwise stands still and
	// never gives the spent tokens back.
	e.Clock.Advance(2 * time.Second)
	return opp.ID
}

// orderFor finds the one order of key's account for a candidate email.
func orderFor(t *testing.T, e *apptest.Env, key, email string) orderJSON {
	t.Helper()
	l := listOrders(t, e, key, url.Values{"q": {email}})
	if len(l.Orders) != 1 {
		var failed []string
		for _, line := range strings.Split(e.Log(), "\n") {
			if strings.Contains(line, "job failed") || strings.Contains(line, "level=ERROR") {
				failed = append(failed, line)
			}
		}
		t.Fatalf("orders for %s: %+v\nfailures logged:\n%s", email, l, strings.Join(failed, "\n"))
	}
	return l.Orders[0]
}

// account is a second tenant set up through the admin API the way SetupLever
// sets up the first, on the same Lever simulator with its own key, webhook
// token, posting and vacancy tag.
type account struct {
	Key, IntegrationID, VacancyID, PostingID string
}

func setupSecondLeverAccount(t *testing.T, e *apptest.Env, name, email, tag string) account {
	t.Helper()
	a := account{Key: e.CreateAccount(name, email)}
	var in integrationJSON
	e.MustAPI(http.StatusCreated, a.Key, "POST", "/integrations", map[string]string{"provider": "lever"}, &in)
	a.IntegrationID = in.ID
	leverKey := "lever-key-" + strings.ToLower(strings.ReplaceAll(name, " ", "-"))
	token := "stage-token-" + leverKey
	e.Lever.AddAPIKey(leverKey)
	owner := e.Lever.AddUser(name+" Recruiter", "recruiter@"+strings.SplitN(email, "@", 2)[1])
	a.PostingID = e.Lever.AddPosting(name+" role", []string{tag}, owner.ID).ID
	e.Lever.RegisterWebhook(lever.EventCandidateStageChange, in.WebhookURL, token)
	e.MustAPI(http.StatusOK, a.Key, "PATCH", "/integrations/"+a.IntegrationID, map[string]any{"settings": map[string]string{
		lever.SettingBaseURL: e.LeverURL, lever.SettingTriggerStage: apptest.TriggerStageName,
	}}, nil)
	for k, v := range map[string]string{lever.CredentialAPIKey: leverKey, lever.CredentialStageChangeToken: token} {
		e.MustAPI(http.StatusOK, a.Key, "PUT", "/integrations/"+a.IntegrationID+"/credentials/"+k, map[string]string{"value": v}, nil)
	}
	var v struct {
		ID string `json:"id"`
	}
	e.MustAPI(http.StatusCreated, a.Key, "POST", "/vacancies", map[string]any{"name": name + " vacancy", "tag": tag}, &v)
	a.VacancyID = v.ID
	e.MustAPI(http.StatusOK, a.Key, "POST", "/integrations/"+a.IntegrationID+"/enable", nil, nil)
	return a
}

// draftLever creates a fresh account with a draft Lever integration and
// returns its super admin key and the integration id.
func draftLever(t *testing.T, e *apptest.Env, name, email string) (key, id string) {
	t.Helper()
	key = e.CreateAccount(name, email)
	var in integrationJSON
	e.MustAPI(http.StatusCreated, key, "POST", "/integrations", map[string]string{"provider": "lever", "name": name + " Lever"}, &in)
	if in.Status != "draft" {
		t.Fatalf("new integration is %q, want draft", in.Status)
	}
	return key, in.ID
}

func dayOf(t time.Time) string { return t.UTC().Format("2006-01-02") }
