package greenhouse_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"switchboard/internal/ats"
	"switchboard/internal/ats/greenhouse"
	"switchboard/internal/core"
)

// fakeCore is the core as the partner endpoints see it: one key, one
// integration, canned answers, and a record of what it was asked.
type fakeCore struct {
	ats.PartnerCore // the calls Greenhouse's endpoints never make
	vacancies       []core.Vacancy
	status          ats.Update
	statusErr       error
	events          []ats.Event
	complaints      []ats.Complaint
}

func (f *fakeCore) Authenticate(_ context.Context, h http.Header) (ats.Config, error) {
	u, p, ok := (&http.Request{Header: h}).BasicAuth()
	if !ok || u != "sbik_good" || p != "" {
		return ats.Config{}, ats.Refuse(http.StatusUnauthorized, "invalid key")
	}
	return ats.Config{Integration: core.Integration{ID: "int_1"}}, nil
}

func (f *fakeCore) Packages(context.Context, ats.Config) ([]core.Vacancy, error) {
	return f.vacancies, nil
}

func (f *fakeCore) Order(_ context.Context, _ ats.Config, e ats.Event) (ats.OrderReceipt, error) {
	f.events = append(f.events, e)
	if e.PackageID == "vac_nope" {
		return ats.OrderReceipt{}, ats.Refuse(http.StatusNotFound, "there is no assessment package %q to order", e.PackageID)
	}
	return ats.OrderReceipt{OrderID: "ord_1", Created: true}, nil
}

func (f *fakeCore) Status(_ context.Context, _ ats.Config, id string) (ats.Update, error) {
	if id != "ord_1" {
		return ats.Update{}, ats.Refuse(http.StatusNotFound, "no order %q", id)
	}
	return f.status, f.statusErr
}

func (f *fakeCore) Complaint(_ context.Context, _ ats.Config, c ats.Complaint) error {
	f.complaints = append(f.complaints, c)
	return nil
}

func serve(t *testing.T, fc *fakeCore) string {
	t.Helper()
	mux := http.NewServeMux()
	greenhouse.NewConnector(greenhouse.ConnectorOptions{}).RegisterPartner(mux, "/partners/greenhouse", fc)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL + "/partners/greenhouse"
}

func do(t *testing.T, method, u, user, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, "")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, strings.TrimSpace(string(b))
}

func TestPartnerEndpoints(t *testing.T) {
	t.Parallel()
	fc := &fakeCore{}
	base := serve(t, fc)
	sendTest := strings.Replace(string(readFile(t, "send_test.json")), `"12345",`, `"vac_1",`, 1)

	if st, h, body := do(t, "GET", base+"/list_tests", "sbik_bad", ""); st != 401 || h.Get("WWW-Authenticate") == "" ||
		body != `{"status":401,"message":"invalid key","errors":["invalid key"]}` {
		t.Errorf("wrong key: %d %q %s", st, h.Get("WWW-Authenticate"), body)
	}
	if st, _, body := do(t, "GET", base+"/list_tests", "sbik_good", ""); st != 200 || body != `[]` {
		t.Errorf("no tests: %d %s, want []", st, body)
	}
	fc.vacancies = []core.Vacancy{{ID: "vac_1", Name: "Logic"}, {ID: "vac_2", Name: "Screening", Inline: true}}
	if st, _, body := do(t, "GET", base+"/list_tests", "sbik_good", ""); st != 200 || body != `[{"partner_test_id":"vac_1","partner_test_name":"Logic"}]` {
		t.Errorf("tests: %d %s, want the one that is not inline", st, body)
	}

	for _, tc := range []struct {
		name, body string
		status     int
	}{
		{"number id", strings.Replace(sendTest, `"vac_1"`, `1`, 1), 400},
		{"url off Greenhouse", strings.Replace(sendTest, "https://app.greenhouse.io/integrations", "https://evil.example/integrations", 1), 400},
		{"url over http", strings.Replace(sendTest, "https://app.greenhouse.io/integrations", "http://app.greenhouse.io/integrations", 1), 400},
		{"unknown test", strings.Replace(sendTest, `"vac_1"`, `"vac_nope"`, 1), 404},
		{"too large", `{"x":"` + strings.Repeat("a", 1<<20) + `"}`, 413},
	} {
		before := len(fc.events)
		st, _, body := do(t, "POST", base+"/send_test", "sbik_good", tc.body)
		var er greenhouse.ErrorResponse
		if err := json.Unmarshal([]byte(body), &er); st != tc.status || err != nil || er.Status != tc.status || er.Message == "" {
			t.Errorf("%s: %d %s, want %d with a message", tc.name, st, body, tc.status)
		}
		if tc.status != 404 && len(fc.events) != before {
			t.Errorf("%s: the order reached the core", tc.name)
		}
	}
	if st, _, body := do(t, "POST", base+"/send_test", "sbik_good", sendTest); st != 200 || body != `{"partner_interview_id":"ord_1"}` {
		t.Errorf("send_test: %d %s", st, body)
	}
	if e := fc.events[len(fc.events)-1]; e.PackageID != "vac_1" || e.CallbackURL != "https://app.greenhouse.io/integrations/testing_partners/take_home_tests/12345" {
		t.Errorf("event %+v", e)
	}

	if st, _, _ := do(t, "GET", base+"/test_status", "sbik_good", ""); st != 400 {
		t.Errorf("test_status without an id: %d", st)
	}
	if st, _, _ := do(t, "GET", base+"/test_status?partner_interview_id=ord_2", "sbik_good", ""); st != 404 {
		t.Errorf("test_status of an unknown order: %d", st)
	}
	fc.status = ats.Update{State: core.StateInProgress}
	if st, _, body := do(t, "GET", base+"/test_status?partner_interview_id=ord_1", "sbik_good", ""); st != 200 ||
		body != `{"partner_status":"in_progress","partner_profile_url":null,"partner_score":null}` {
		t.Errorf("test_status in progress: %d %s", st, body)
	}
	fc.status = completedUpdate()
	st, _, body := do(t, "GET", base+"/test_status?partner_interview_id=ord_1", "sbik_good", "")
	if _, problems := greenhouse.CheckTestStatus([]byte(body)); st != 200 || len(problems) != 0 || !strings.Contains(body, `"partner_score":81`) {
		t.Errorf("test_status complete: %d %s %q", st, body, problems)
	}
	fc.status.Reports = ats.Reports{}
	if st, _, body := do(t, "GET", base+"/test_status?partner_interview_id=ord_1", "sbik_good", ""); st != 500 || strings.Contains(body, "complete") {
		t.Errorf("complete without a link: %d %s, want 500 rather than a malformed answer", st, body)
	}
	fc.statusErr = errors.New("database down")
	if st, _, body := do(t, "GET", base+"/test_status?partner_interview_id=ord_1", "sbik_good", ""); st != 500 || strings.Contains(body, "database") {
		t.Errorf("a failure: %d %s, want 500 without detail", st, body)
	}

	if st, _, body := do(t, "POST", base+"/response_error", "sbik_good", `{"api_call":"test_status","errors":["bad score"],"partner_interview_id":"ord_1"}`); st != 200 || body != `{"status":200}` {
		t.Errorf("response_error: %d %s", st, body)
	}
	if len(fc.complaints) != 1 || fc.complaints[0].OrderID != "ord_1" || fc.complaints[0].Errors[0] != "bad score" {
		t.Errorf("complaints %+v", fc.complaints)
	}
	if st, _, _ := do(t, "POST", base+"/response_error", "sbik_good", `{"errors":["x"]}`); st != 400 || len(fc.complaints) != 1 {
		t.Errorf("response_error without api_call: %d", st)
	}
	if st, _, _ := do(t, "POST", base+"/response_error", "", `{"api_call":"x"}`); st != 401 || len(fc.complaints) != 1 {
		t.Errorf("response_error without a key: %d", st)
	}
}
