package leversim_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"switchboard/internal/ats/lever"
)

// TestCreateOpportunityValidation: Lever's create refuses what it refuses,
// with a 400 and its error body, and creates nothing.
func TestCreateOpportunityValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.sim.AddUser("Rita Recruiter", "rita@example.com")
	p := e.sim.AddPosting("Barista", []string{"switchboard"}, u.ID)
	p2 := e.sim.AddPosting("Cook", nil, u.ID)
	as := "/v1/opportunities?perform_as=" + u.ID
	for _, c := range []struct{ name, path, body string }{
		{"no perform_as", "/v1/opportunities", `{"name":"Ann Lee"}`},
		{"unknown perform_as", "/v1/opportunities?perform_as=nobody", `{"name":"Ann Lee"}`},
		{"no name", as, `{"emails":["ann@example.com"]}`},
		{"blank name", as, `{"name":"  "}`},
		{"two postings", as, `{"name":"Ann Lee","postings":["` + p.ID + `","` + p2.ID + `"]}`},
		{"unknown posting", as, `{"name":"Ann Lee","postings":["nope"]}`},
		{"unknown stage", as, `{"name":"Ann Lee","stage":"nope"}`},
		{"unknown owner", as, `{"name":"Ann Lee","owner":"nope"}`},
		{"unknown follower", as, `{"name":"Ann Lee","followers":["nope"]}`},
		{"unknown contact", as, `{"name":"Ann Lee","contact":"nope"}`},
		{"bad origin", as, `{"name":"Ann Lee","origin":"walked-in"}`},
		{"archived without reason", as, `{"name":"Ann Lee","archived":{"archivedAt":1}}`},
		{"malformed", as, `{"name":`},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, body := e.postJSON(t, c.path, c.body)
			wantError(t, status, body, http.StatusBadRequest, lever.CodeBadRequest)
		})
	}
	status, _, body := e.call(t, http.MethodPost, as, strings.NewReader(`{"name":"Ann Lee"}`), map[string]string{"Authorization": ""})
	wantError(t, status, body, http.StatusUnauthorized, lever.CodeUnauthorized)
	if _, b := e.get(t, "/v1/opportunities"); !strings.Contains(string(b), `"data":[]`) && !strings.Contains(string(b), `"data":null`) {
		t.Errorf("refused creates left opportunities: %s", b)
	}
}

// TestCreateOpportunityThenStageMove is what a test order does through the
// API: create a candidate on a tagged posting, then move it to the trigger
// stage. Each step sends its signed webhook, as Lever does for a recruiter.
func TestCreateOpportunityThenStageMove(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rc := &receiver{status: http.StatusOK}
	hook := httptest.NewServer(rc)
	defer hook.Close()
	e.sim.RegisterWebhook(lever.EventApplicationCreated, hook.URL+"/created", "sig-created")
	e.sim.RegisterWebhook(lever.EventCandidateStageChange, hook.URL+"/stage", "sig-stage")
	u := e.sim.AddUser("Rita Recruiter", "rita@example.com")
	owner := e.sim.AddUser("Omar Owner", "omar@example.com")
	p := e.sim.AddPosting("Barista", []string{"switchboard"}, owner.ID)

	status, _, body := e.call(t, http.MethodPost, "/v1/opportunities?perform_as="+u.ID,
		strings.NewReader(`{"name":" Ann Lee ","emails":["ann@example.com"],"postings":["`+p.ID+`"],"tags":["test","test",""],"origin":"sourced","headline":"Tester"}`),
		map[string]string{"Content-Type": "application/json"})
	if status != http.StatusCreated {
		t.Fatalf("create: %d %s", status, body)
	}
	var created lever.Envelope[lever.Opportunity]
	if err := json.Unmarshal(body, &created); err != nil {
		t.Fatal(err)
	}
	o := created.Data
	if o.ID == "" || o.Name != "Ann Lee" || o.Headline != "Tester" || !slices.Equal(o.Emails, []string{"ann@example.com"}) ||
		!slices.Equal(o.Tags, []string{"test"}) || o.Origin != "sourced" || o.Stage.ID != lever.StageNewLead ||
		o.Owner.ID != u.ID || !slices.Contains(o.Followers, u.ID) || len(o.Applications) != 1 || o.URLs.Show == "" {
		t.Errorf("created opportunity = %+v", o)
	}
	full, ok := e.sim.Opportunity(o.ID)
	if !ok || !slices.Equal(full.PostingIDs(), []string{p.ID}) || full.Applications[0].Application.PostingOwner != owner.ID {
		t.Errorf("stored opportunity = %+v", full)
	}

	bodies := rc.received()
	if len(bodies) != 1 {
		t.Fatalf("%d webhooks after create, want applicationCreated", len(bodies))
	}
	app, err := lever.ParseWebhook(bodies[0])
	if err != nil || app.Event != lever.EventApplicationCreated || lever.VerifySignature("sig-created", app) != nil ||
		app.Data.OpportunityID != o.ID || app.Data.ApplicationID != full.Applications[0].ID || app.Data.ContactID != o.Contact {
		t.Errorf("applicationCreated = %+v, %v", app, err)
	}

	screen := e.sim.Stages()[3]
	status, _, body = e.call(t, http.MethodPut, "/v1/opportunities/"+o.ID+"/stage?perform_as="+u.ID,
		strings.NewReader(`{"stage":"`+screen.ID+`"}`), map[string]string{"Content-Type": "application/json"})
	if status != http.StatusOK {
		t.Fatalf("stage: %d %s", status, body)
	}
	bodies = rc.received()
	if len(bodies) != 2 {
		t.Fatalf("%d webhooks after the stage move, want candidateStageChange too", len(bodies))
	}
	moved, err := lever.ParseWebhook(bodies[1])
	if err != nil || moved.Event != lever.EventCandidateStageChange || lever.VerifySignature("sig-stage", moved) != nil ||
		moved.Data.OpportunityID != o.ID || moved.Data.FromStageID != lever.StageNewLead || moved.Data.ToStageID != screen.ID {
		t.Errorf("candidateStageChange = %+v, %v", moved, err)
	}
	if got, _ := e.sim.Opportunity(o.ID); len(got.StageChanges) != 2 || got.StageChanges[1].UserID != u.ID {
		t.Errorf("stage history = %+v", got.StageChanges)
	}

	// A lead without a posting has no application, so no applicationCreated;
	// the same email joins the same contact; the posting owner can own it.
	status, _, body = e.call(t, http.MethodPost, "/v1/opportunities?perform_as_posting_owner=true&perform_as="+u.ID,
		strings.NewReader(`{"name":"Ann Lee","emails":["ANN@example.com"],"postings":["`+p.ID+`"]}`), nil)
	var again lever.Envelope[lever.Opportunity]
	if status != http.StatusCreated || json.Unmarshal(body, &again) != nil {
		t.Fatalf("second create: %d %s", status, body)
	}
	if again.Data.Contact != o.Contact || again.Data.Owner.ID != owner.ID {
		t.Errorf("second opportunity: contact %s (want %s), owner %s (want %s)", again.Data.Contact, o.Contact, again.Data.Owner.ID, owner.ID)
	}
	status, body = e.postJSON(t, "/v1/opportunities?perform_as="+u.ID, `{"name":"Lee Lead"}`)
	if status != http.StatusCreated || len(rc.received()) != 3 {
		t.Errorf("lead: %d %s, %d webhooks (want 3: none for a lead)", status, body, len(rc.received()))
	}
}

// TestClientCreateAndInspect drives the client against the simulator: create,
// then list the notes and files the write-back would add.
func TestClientCreateAndInspect(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.sim.AddUser("Rita Recruiter", "rita@example.com")
	p := e.sim.AddPosting("Barista", []string{"switchboard"}, u.ID)
	var slept []time.Duration
	cl := lever.NewClient(e.srv.URL+"/v1", key, lever.WithLimiter(nil),
		lever.WithSleep(func(ctx context.Context, d time.Duration) error { slept = append(slept, d); return ctx.Err() }))
	ctx := context.Background()

	if _, err := cl.CreateOpportunity(ctx, "", lever.CreateOpportunityRequest{Name: "Ann"}); err == nil {
		t.Error("created without perform_as")
	}
	o, err := cl.CreateOpportunity(ctx, u.ID, lever.CreateOpportunityRequest{
		Name: "Ann Lee", Emails: []string{"ann@example.com"}, Postings: []string{p.ID}, Origin: lever.OriginSourced,
	})
	if err != nil || o.ID == "" || o.Name != "Ann Lee" {
		t.Fatalf("create: %+v, %v", o, err)
	}
	notes, err := cl.ListNotes(ctx, o.ID)
	if err != nil || len(notes) != 0 {
		t.Fatalf("notes of a new candidate: %+v, %v", notes, err)
	}
	if _, err := cl.AddNote(ctx, o.ID, u.ID, "hello"); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.UploadFile(ctx, o.ID, u.ID, "report.pdf", "application/pdf", []byte("%PDF-1.7")); err != nil {
		t.Fatal(err)
	}
	notes, err = cl.ListNotes(ctx, o.ID)
	if err != nil || len(notes) != 1 || notes[0].Value() != "hello" {
		t.Errorf("notes: %+v, %v", notes, err)
	}
	files, err := cl.ListFiles(ctx, o.ID)
	if err != nil || len(files) != 1 || files[0].Name != "report.pdf" || files[0].Ext != "pdf" || files[0].Size != 8 {
		t.Errorf("files: %+v, %v", files, err)
	}
	if _, err := cl.ListFiles(ctx, "nope"); err == nil {
		t.Error("files of an unknown opportunity: no error")
	}

	// A 500 may have created the candidate: the create is not repeated.
	before := len(mustList(t, cl))
	e.sim.FailNext(1, http.StatusInternalServerError, 0)
	if _, err := cl.CreateOpportunity(ctx, u.ID, lever.CreateOpportunityRequest{Name: "Bo"}); err == nil {
		t.Error("create through a 500: no error")
	}
	if got := len(mustList(t, cl)); got != before {
		t.Errorf("create was retried after a 500: %d opportunities, want %d", got, before)
	}
	// A 429 is answered before anything happens, so it is retried.
	e.sim.FailNext(1, http.StatusTooManyRequests, time.Second)
	if _, err := cl.CreateOpportunity(ctx, u.ID, lever.CreateOpportunityRequest{Name: "Bo"}); err != nil {
		t.Errorf("create after a 429: %v", err)
	}
	if got := len(mustList(t, cl)); got != before+1 || !slices.Contains(slept, time.Second) {
		t.Errorf("after a 429: %d opportunities (want %d), waits %v (want the Retry-After)", got, before+1, slept)
	}
}

func mustList(t *testing.T, cl *lever.Client) []lever.Opportunity {
	t.Helper()
	opps, err := cl.ListOpportunities(context.Background(), lever.OpportunityFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return opps
}
