package app_test

import (
	"context"
	"net/http"
	"testing"

	"switchboard/internal/app/apptest"
	"switchboard/internal/ats/lever"
	"switchboard/internal/candidatebot"
)

// TestReviewLever: the same review on a Lever integration's postings and
// opportunities, through the integration's own credentials: the sync reads
// the posting and its applicants with their parsed resumes, the ranking
// shows the result of the assessment Switchboard ran for one of them (with
// its order), and a move changes the opportunity's stage in Lever.
func TestReviewLever(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		f := e.SetupLever(apptest.LeverOptions{})
		ada, _, err := e.Lever.CreateOpportunity(ctx, "Ada Lovelace", "ada@example.com", f.PostingID)
		if err != nil {
			t.Fatal(err)
		}
		bob, _, err := e.Lever.CreateOpportunity(ctx, "Bob Byte", "bob@example.com", f.PostingID)
		if err != nil {
			t.Fatal(err)
		}
		now := e.Clock.Now()
		if _, err := e.Lever.AddResume(bob.ID, lever.ResumeParsedData{Positions: []lever.ResumePosition{{
			Org: "Initech", Title: "Go Engineer", Summary: "Go and PostgreSQL.",
			Start: &lever.ResumeDate{Year: now.Year() - 4, Month: int(now.Month())},
		}}}); err != nil {
			t.Fatal(err)
		}
		// Ada takes the posting's assessment.
		if ds, err := e.Lever.MoveStage(ctx, ada.ID, f.TriggerStage); err != nil || len(ds) != 1 {
			t.Fatalf("stage change: %v", err)
		}
		e.WaitIdle()
		link := invitationLink(t, e, e.Mail.Messages()[0])
		if _, err := candidatebot.Take(ctx, http.DefaultClient, link, candidatebot.FirstOption); err != nil {
			t.Fatal(err)
		}
		e.WaitIdle()
		d := onlyOrder(t, e, f)
		if d.Order.State != "completed" || d.Result == nil {
			t.Fatalf("order %+v", d.Order)
		}

		var rs reviewSource
		e.MustAPI(http.StatusCreated, f.APIKey, "POST", "/review/sources", map[string]any{"provider": "lever", "integration_id": f.IntegrationID}, &rs)
		if rs.Status != "active" || rs.Subscribed {
			t.Fatalf("Lever source %+v: want active, without subscriptions (Lever pushes none)", rs)
		}
		e.WaitIdle()
		e.MustAPI(http.StatusOK, f.APIKey, "GET", "/review/sources/"+rs.ID, nil, &rs)
		if rs.Sync == nil || rs.Sync.State != "done" || rs.Sync.JobsTotal != 1 || rs.Sync.Applicants != 2 {
			t.Fatalf("after the sync: %+v", rs.Sync)
		}
		jobPath := "/review/sources/" + rs.ID + "/jobs/" + f.PostingID
		e.MustAPI(http.StatusOK, f.APIKey, "PUT", jobPath+"/criteria", map[string]any{"preferred": []string{"Go"}}, nil)
		var rk reviewRanking
		e.MustAPI(http.StatusOK, f.APIKey, "GET", jobPath+"/ranking", nil, &rk)
		if len(rk.Ranked) != 2 {
			t.Fatalf("ranked %+v", rk.Ranked)
		}
		for _, r := range rk.Ranked {
			switch r.Applicant.ID {
			case ada.ID:
				if r.Assessment == nil || r.Assessment.OrderID != d.Order.ID || r.Assessment.Score == nil || int(*r.Assessment.Score) != d.Result.Score {
					t.Errorf("Ada's assessment %+v, want order %s with score %d", r.Assessment, d.Order.ID, d.Result.Score)
				}
			case bob.ID:
				if r.Assessment != nil || r.Years < 3.9 || r.Years > 4.1 {
					t.Errorf("Bob: assessment %+v, %v years; want none and 4 years from his resume", r.Assessment, r.Years)
				}
			}
		}

		var targets struct {
			Targets []struct{ ID, Label string } `json:"targets"`
		}
		e.MustAPI(http.StatusOK, f.APIKey, "GET", jobPath+"/move-targets", nil, &targets)
		if len(targets.Targets) == 0 {
			t.Fatal("no stages to move to")
		}
		to := targets.Targets[len(targets.Targets)-1].ID
		var moved struct {
			Results []struct {
				Moved bool   `json:"moved"`
				Error string `json:"error"`
			} `json:"results"`
		}
		e.MustAPI(http.StatusOK, f.APIKey, "POST", jobPath+"/move", map[string]any{"applicant_ids": []string{bob.ID}, "target": to}, &moved)
		if len(moved.Results) != 1 || !moved.Results[0].Moved {
			t.Fatalf("move: %+v", moved)
		}
		if got, _ := e.Lever.Opportunity(bob.ID); got.Stage.ID != to {
			t.Errorf("Lever has Bob at stage %q, want %q", got.Stage.ID, to)
		}
	})
}
