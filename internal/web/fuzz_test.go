package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"switchboard/internal/app/apptest"
	"switchboard/internal/assess"
)

// FuzzAnswerForm posts arbitrary bodies to a started assessment's answer
// form: it is never a 500; answers are saved (303 to the questions) exactly
// when every field names a question of the package and picks one of its
// options; and a refused form changes nothing the candidate sees.
func FuzzAnswerForm(f *testing.F) {
	e := apptest.New(f, apptest.Options{})
	fx := e.SetupLever(apptest.LeverOptions{})
	link := invite(f, e, fx)
	client := &http.Client{Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(t testing.TB, path, body string) (int, string) {
		req, err := http.NewRequest(http.MethodPost, link+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, string(b)
	}
	questions := func(t testing.TB) string {
		resp, err := client.Get(link + "/q")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET questions: %d %v", resp.StatusCode, err)
		}
		return string(b)
	}
	if status, body := post(f, "/start", ""); status != http.StatusSeeOther {
		f.Fatalf("start: %d %s", status, body)
	}
	pkg := assess.DefaultPackage()
	qs := pkg.Questions()
	q0, q1 := qs[0], qs[len(qs)-1]
	for _, seed := range []url.Values{
		{q0.ID: {q0.Options[0].ID}},
		{q0.ID: {q0.Options[len(q0.Options)-1].ID}, q1.ID: {q1.Options[0].ID}},
		{q0.ID: {q0.Options[0].ID, "nope"}},
		{q0.ID: {"nope", q0.Options[0].ID}},
		{q0.ID: {""}},
		{"nope": {q0.Options[0].ID}},
		{q0.ID: {q1.Options[0].ID}},
		{},
	} {
		f.Add(seed.Encode())
	}
	f.Add(q0.ID + "=" + q0.Options[0].ID + "&%zz")
	f.Add(strings.ToUpper(q0.ID) + "=" + q0.Options[0].ID)
	f.Fuzz(func(t *testing.T, body string) {
		before := questions(t)
		status, page := post(t, "/q", body)
		form, perr := url.ParseQuery(body)
		valid := perr == nil
		for qid, vals := range form {
			q, _, ok := pkg.Question(qid)
			found := false
			for _, o := range q.Options {
				found = found || (ok && o.ID == vals[0])
			}
			valid = valid && found
		}
		switch status {
		case http.StatusSeeOther:
			if !valid {
				t.Fatalf("form %q saved", body)
			}
		case http.StatusBadRequest, http.StatusUnprocessableEntity:
			if valid {
				t.Fatalf("form %q refused with %d: %s", body, status, page)
			}
			if after := questions(t); after != before {
				t.Fatalf("form %q was refused but changed the questions page", body)
			}
		default:
			t.Fatalf("form %q: %d %s", body, status, page)
		}
	})
}

// invite moves a candidate to the trigger stage in Lever and returns the
// invitation link Switchboard emailed them.
func invite(tb testing.TB, e *apptest.Env, fx apptest.LeverFixture) string {
	tb.Helper()
	const email = "ada@example.com"
	opp, _, err := e.Lever.CreateOpportunity(tb.Context(), "Ada Lovelace", email, fx.PostingID)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := e.Lever.MoveStage(tb.Context(), opp.ID, fx.TriggerStage); err != nil {
		tb.Fatal(err)
	}
	e.WaitIdle()
	for _, m := range e.Mail.Messages() {
		if i := strings.Index(m.Text, e.URL+"/a/"); i >= 0 && len(m.To) == 1 && m.To[0] == email {
			return strings.Fields(m.Text[i:])[0]
		}
	}
	tb.Fatalf("no invitation emailed to %s", email)
	return ""
}
