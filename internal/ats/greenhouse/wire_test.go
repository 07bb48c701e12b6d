package greenhouse_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"switchboard/internal/ats"
	"switchboard/internal/ats/greenhouse"
	"switchboard/internal/core"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\ngot  %s\nwant %s", name, got, want)
	}
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeSendTest(t *testing.T) {
	t.Parallel()
	doc, err := greenhouse.DecodeSendTest(readFile(t, "send_test.json"))
	if err != nil {
		t.Fatal(err)
	}
	if doc.PartnerTestID != "12345" || doc.Candidate.PreferredName != "The Chosen One" || doc.SentBy != "test_sender@example.org" ||
		doc.Candidate.Email != "hpotter@hogwarts.example" || !strings.HasSuffix(doc.URL, "/take_home_tests/12345") {
		t.Errorf("the docs' example reads as %+v", doc)
	}
	nulls, err := greenhouse.DecodeSendTest(readFile(t, "send_test_nulls.json"))
	if err != nil {
		t.Fatalf("nulls and added properties: %v", err)
	}
	if nulls.Candidate.PhoneNumber != "" || nulls.SentBy != "" || nulls.Candidate.FirstName != "Ann" {
		t.Errorf("nulls read as %+v", nulls)
	}

	for _, tc := range []struct {
		name, body, want string
	}{
		{"number id", `{"partner_test_id":12345,"candidate":{"email":"a@b.c"},"url":"https://app.greenhouse.io/x"}`, "partner_test_id must be a string, not a JSON number"},
		{"number email", `{"partner_test_id":"1","candidate":{"email":5},"url":"https://app.greenhouse.io/x"}`, "candidate.email must be a string"},
		{"no email", `{"partner_test_id":"1","candidate":{"email":null},"url":"https://app.greenhouse.io/x"}`, "candidate.email missing"},
		{"no url, no test", `{"candidate":{"email":"a@b.c"}}`, "partner_test_id, url missing"},
		{"array", `[{"partner_test_id":"1"}]`, "must be a JSON object"},
		{"empty", ``, "must be a JSON object"},
		{"trailing", `{"partner_test_id":"1","candidate":{"email":"a@b.c"},"url":"u"} {}`, "more than one JSON value"},
		{"stray brace", `{"partner_test_id":"1","candidate":{"email":"a@b.c"},"url":"u"}}`, "more than one JSON value"},
		{"broken", `{"partner_test_id":`, "not valid JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := greenhouse.DecodeSendTest([]byte(tc.body))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestOrderEvent(t *testing.T) {
	t.Parallel()
	st, err := greenhouse.DecodeSendTest(readFile(t, "send_test.json"))
	if err != nil {
		t.Fatal(err)
	}
	e := greenhouse.OrderEvent(st)
	want := ats.Event{
		Kind: ats.EventOrderRequested, Mode: core.ModeAdHoc,
		IdempotencyKey: "greenhouse:https://app.greenhouse.io/integrations/testing_partners/take_home_tests/12345",
		Candidate: ats.Candidate{ExternalID: "person:17681532", Name: "Harry Potter", Email: "hpotter@hogwarts.example",
			ProfileURL: "https://app.greenhouse.io/people/17681532?application_id=26234709"},
		ExternalID: "12345", PackageID: "12345",
		CallbackURL: "https://app.greenhouse.io/integrations/testing_partners/take_home_tests/12345",
	}
	if !reflect.DeepEqual(e, want) {
		t.Errorf("event\n%+v, want\n%+v", e, want)
	}
	// Without a profile URL Greenhouse's person is unknown: the email is.
	st.Candidate.GreenhouseProfileURL = ""
	st.Candidate.Email = " HPotter@Hogwarts.example "
	if got := greenhouse.OrderEvent(st).Candidate.ExternalID; got != "hpotter@hogwarts.example" {
		t.Errorf("candidate id %q, want the email", got)
	}
}

func TestDecodeResponseError(t *testing.T) {
	t.Parallel()
	re, err := greenhouse.DecodeResponseError([]byte(`{"api_call":"test_status","errors":["partner_score must be a Number"],"partner_interview_id":"ord_1","partner_test_id":null,"candidate_email":"a@b.c","new":1}`))
	if err != nil {
		t.Fatal(err)
	}
	c := greenhouse.ComplaintFor(re)
	if c.OrderID != "ord_1" || c.Call != "test_status" || len(c.Errors) != 2 || c.Errors[0] != "partner_score must be a Number" || c.Errors[1] != "(about candidate a@b.c)" {
		t.Errorf("complaint %+v", c)
	}
	for _, body := range []string{`{"errors":["x"]}`, `{"api_call":"x","errors":"one"}`, `[]`} {
		if _, err := greenhouse.DecodeResponseError([]byte(body)); err == nil {
			t.Errorf("%s accepted", body)
		}
	}
}

func completedUpdate() ats.Update {
	started := time.Date(2026, 3, 26, 10, 15, 0, 0, time.UTC)
	return ats.Update{
		Order: core.Order{ID: "ord_1", StartedAt: started, CompletedAt: started.Add(40 * time.Minute)},
		State: core.StateCompleted,
		Result: &core.Result{
			Score: &core.Score{Value: 81, Min: 0, Max: 100}, Label: "Great fit", Summary: "Strong on every module.",
			Value: core.ResultPassed,
			Components: []core.Component{
				{Key: "logic", Name: "Logic", Score: &core.Score{Value: 90, Max: 100}},
				{Key: "summary", Name: "Summary", Label: "collides with the summary's key"},
				{Key: "empty", Name: "Nothing"},
			},
		},
		Reports: ats.Reports{DetailPageURL: "https://sb.example/orders/ord_1", ReadOnlyPageURL: "https://sb.example/r/ord_1?sig=x"},
	}
}

func TestTestStatusFor(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		state core.State
		want  string
	}{
		{core.StateReceived, `{"partner_status":"sent","partner_profile_url":null,"partner_score":null}`},
		{core.StateInvited, `{"partner_status":"sent","partner_profile_url":null,"partner_score":null}`},
		{core.StateInProgress, `{"partner_status":"in_progress","partner_profile_url":null,"partner_score":null}`},
		{core.StateExpired, `{"partner_status":"expired","partner_profile_url":null,"partner_score":null}`},
		{core.StateRejected, `{"partner_status":"rejected","partner_profile_url":null,"partner_score":null}`},
		{core.StateCancelled, `{"partner_status":"cancelled","partner_profile_url":null,"partner_score":null}`},
	} {
		ts, err := greenhouse.TestStatusFor(ats.Update{State: tc.state})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(ts)
		if string(b) != tc.want {
			t.Errorf("%s: %s, want %s", tc.state, b, tc.want)
		}
		if _, problems := greenhouse.CheckTestStatus(b); len(problems) != 0 {
			t.Errorf("%s: Greenhouse would find %v", tc.state, problems)
		}
	}

	ts, err := greenhouse.TestStatusFor(completedUpdate())
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.MarshalIndent(ts, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "test_status_complete.golden.json", append(b, '\n'))
	if _, problems := greenhouse.CheckTestStatus(b); len(problems) != 0 {
		t.Errorf("Greenhouse would find %v", problems)
	}

	// Another scale is said in the metadata; the vendor's page is the link
	// when no report link is switched on.
	u := completedUpdate()
	u.Result.Score = &core.Score{Value: 7, Min: 1, Max: 10}
	u.Result.ResultURL = "https://vendor.example/r/1"
	u.Reports = ats.Reports{}
	ts, err = greenhouse.TestStatusFor(u)
	if err != nil || *ts.PartnerProfileURL != "https://vendor.example/r/1" || ts.Metadata[greenhouse.MetaScoreRange] != "1–10" || *ts.PartnerScore != 7 {
		t.Errorf("%+v %v", ts, err)
	}
	u.Result.ResultURL = ""
	if _, err := greenhouse.TestStatusFor(u); !errors.Is(err, greenhouse.ErrNoProfileURL) {
		t.Errorf("no link at all: %v, want ErrNoProfileURL", err)
	}
	u.Result = nil
	if _, err := greenhouse.TestStatusFor(u); err == nil {
		t.Errorf("a completed order without a result answered")
	}
}

func TestCheckTestStatus(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, body string
		problems   int
		want       string
	}{
		{"docs example", `{"partner_status":"complete","partner_profile_url":"http://example.com/tests/12345","partner_score":81,"metadata":{"Started At":"10:15 AM 26 March 2014","Notes":"well done","Passed":true,"Tries":2,"None":null}}`, 0, ""},
		{"pending", `{"partner_status":"sent"}`, 0, ""},
		{"complete without link", `{"partner_status":"complete","partner_score":81}`, 1, "required when partner_status is complete"},
		{"score as string", `{"partner_status":"sent","partner_score":"81"}`, 1, "partner_score must be a Number"},
		{"nested metadata", `{"partner_status":"sent","metadata":{"a":{"b":1}}}`, 1, "metadata.a must be a JavaScript primitive"},
		{"metadata list", `{"partner_status":"sent","metadata":[1]}`, 1, "metadata must be an Object"},
		{"no status", `{"partner_score":1}`, 1, "partner_status must be a non-empty String"},
		{"status as number", `{"partner_status":1}`, 1, "partner_status must be a non-empty String"},
		{"link not a URL", `{"partner_status":"complete","partner_profile_url":"/relative"}`, 2, "must be an http(s) URL"},
		{"not an object", `["complete"]`, 1, "not a JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, problems := greenhouse.CheckTestStatus([]byte(tc.body))
			if len(problems) != tc.problems || (tc.want != "" && !strings.Contains(strings.Join(problems, "; "), tc.want)) {
				t.Fatalf("problems %q, want %d with %q", problems, tc.problems, tc.want)
			}
		})
	}
}

func TestCheckTests(t *testing.T) {
	t.Parallel()
	ts, problems := greenhouse.CheckTests([]byte(`[{"partner_test_id":"1","partner_test_name":"Logic"},{"partner_test_id":2,"partner_test_name":"Numbers"}]`))
	if len(ts) != 1 || ts[0].PartnerTestName != "Logic" || len(problems) != 1 || !strings.Contains(problems[0], "test 1: partner_test_id") {
		t.Errorf("%+v %q", ts, problems)
	}
	if ts, problems := greenhouse.CheckTests([]byte(`[]`)); len(ts) != 0 || len(problems) != 0 {
		t.Errorf("an empty list: %+v %q", ts, problems)
	}
	if id, problems := greenhouse.CheckSendTestResponse([]byte(`{"partner_interview_id":98765}`)); id != "" || len(problems) != 1 {
		t.Errorf("a numeric interview id: %q %q", id, problems)
	}
}
