package app_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"switchboard/internal/app/apptest"
)

// TestLeverReplayForAnotherCandidate: Lever signs only token and
// triggeredAt, so someone holding one captured delivery could replay it
// with another opportunityId. The replay lands on the stored delivery and
// orders nothing for the other candidate.
func TestLeverReplayForAnotherCandidate(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupLever(apptest.LeverOptions{})
	ctx := t.Context()

	// Bob passed the trigger stage while the integration was switched off:
	// his webhook was refused and he has no order, as intended.
	bob, _, err := e.Lever.CreateOpportunity(ctx, "Bob Stone", "bob@example.com", f.PostingID)
	if err != nil {
		t.Fatal(err)
	}
	e.MustAPI(http.StatusOK, f.APIKey, "POST", "/integrations/"+f.IntegrationID+"/disable", nil, nil)
	if ds, err := e.Lever.MoveStage(ctx, bob.ID, f.TriggerStage); err != nil || len(ds) != 1 || ds[0].StatusCode != http.StatusConflict {
		t.Fatalf("Bob's stage change while disabled: %+v %v", ds, err)
	}
	e.MustAPI(http.StatusOK, f.APIKey, "POST", "/integrations/"+f.IntegrationID+"/enable", nil, nil)

	ann, _, err := e.Lever.CreateOpportunity(ctx, "Ann Lee", "ann@example.com", f.PostingID)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := e.Lever.MoveStage(ctx, ann.ID, f.TriggerStage)
	if err != nil || len(ds) != 1 || ds[0].StatusCode != http.StatusOK {
		t.Fatalf("stage change: %+v %v", ds, err)
	}
	e.WaitIdle()

	var body map[string]any
	if err := json.Unmarshal(ds[0].Body, &body); err != nil {
		t.Fatal(err)
	}
	body["data"].(map[string]any)["opportunityId"] = bob.ID
	forged, _ := json.Marshal(body)
	resp, err := http.Post(f.WebhookURL, "application/json", bytes.NewReader(forged))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("replayed delivery: %d, want 200 (a known delivery)", resp.StatusCode)
	}
	e.WaitIdle()

	var page struct {
		Total  int `json:"total"`
		Orders []struct {
			CandidateEmail string `json:"candidate_email"`
		} `json:"orders"`
	}
	e.MustAPI(http.StatusOK, f.APIKey, "GET", "/orders", nil, &page)
	if page.Total != 1 || page.Orders[0].CandidateEmail != "ann@example.com" {
		t.Fatalf("orders after the replay: %+v, want only Ann's", page)
	}
	if n := len(e.Mail.Messages()); n != 1 {
		t.Errorf("%d emails, want 1", n)
	}
}
