package app_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"switchboard/internal/app/apptest"
	"switchboard/internal/ats/lever"
	"switchboard/internal/atssim/leversim"
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

// TestLeverReplayOfIgnoredDelivery: a delivery Switchboard ignores (Lever's
// signed test ping, an applicationCreated while that is switched off) is
// still verified, so its signed key is recorded. Replayed within the hour
// with an opportunity and an event that would order — the signature covers
// neither — it lands on that record and orders nothing.
func TestLeverReplayOfIgnoredDelivery(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// ignored makes Lever send a delivery that is ignored, and returns it.
		ignored func(t *testing.T, e *apptest.Env, f apptest.LeverFixture) leversim.Delivery
		// switchOn is run before the replay (to switch on what was off).
		switchOn func(e *apptest.Env, f apptest.LeverFixture)
		event    string // the replay's event
	}{
		{"test ping", func(t *testing.T, e *apptest.Env, f apptest.LeverFixture) leversim.Delivery {
			ds, err := e.Lever.Ping(t.Context(), lever.EventCandidateStageChange)
			if err != nil || len(ds) != 1 {
				t.Fatalf("ping: %s %v", outcome(ds), err)
			}
			return ds[0]
		}, nil, lever.EventCandidateStageChange},
		{"applicationCreated switched off", func(t *testing.T, e *apptest.Env, f apptest.LeverFixture) leversim.Delivery {
			_, ds, err := e.Lever.CreateOpportunity(t.Context(), "Someone Else", "else@example.com", f.PostingID)
			if err != nil || len(ds) != 1 || ds[0].Event != lever.EventApplicationCreated {
				t.Fatalf("applicationCreated: %s %v", outcome(ds), err)
			}
			return ds[0]
		}, func(e *apptest.Env, f apptest.LeverFixture) {
			e.MustAPI(http.StatusOK, f.APIKey, "PATCH", "/integrations/"+f.IntegrationID,
				map[string]any{"settings": map[string]string{lever.SettingApplicationCreated: "true"}}, nil)
		}, lever.EventApplicationCreated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := apptest.New(t, apptest.Options{})
			f := e.SetupLever(apptest.LeverOptions{ApplicationCreated: true})
			e.MustAPI(http.StatusOK, f.APIKey, "PATCH", "/integrations/"+f.IntegrationID,
				map[string]any{"settings": map[string]string{lever.SettingApplicationCreated: "false"}}, nil)
			ctx := t.Context()

			// Bob sits at the trigger stage without an order: his move was
			// refused while the integration was off.
			bob, _, err := e.Lever.CreateOpportunity(ctx, "Bob Stone", "bob@example.com", f.PostingID)
			if err != nil {
				t.Fatal(err)
			}
			e.MustAPI(http.StatusOK, f.APIKey, "POST", "/integrations/"+f.IntegrationID+"/disable", nil, nil)
			if ds, err := e.Lever.MoveStage(ctx, bob.ID, f.TriggerStage); err != nil || len(ds) != 1 || ds[0].StatusCode != http.StatusConflict {
				t.Fatalf("Bob's stage change while disabled: %s %v", outcome(ds), err)
			}
			e.MustAPI(http.StatusOK, f.APIKey, "POST", "/integrations/"+f.IntegrationID+"/enable", nil, nil)

			d := tc.ignored(t, e, f)
			if d.StatusCode != http.StatusOK || !bytes.Contains(d.Body, []byte(`"token"`)) {
				t.Fatalf("ignored delivery: %d", d.StatusCode)
			}
			e.WaitIdle()
			if tc.switchOn != nil {
				tc.switchOn(e, f)
			}
			var body map[string]any
			if err := json.Unmarshal(d.Body, &body); err != nil {
				t.Fatal(err)
			}
			body["event"] = tc.event
			body["data"] = map[string]any{"opportunityId": bob.ID, "toStageId": f.TriggerStage}
			status, resp := post(t, f.WebhookURL, mustJSON(t, body))
			if status != http.StatusOK || strings.Contains(resp, "accepted") {
				t.Fatalf("replayed ignored delivery: %d %s, want 200 and not accepted", status, resp)
			}
			e.WaitIdle()
			if total, list := orders(e, f.APIKey); total != 0 {
				t.Fatalf("orders after the replay: %+v, want none", list)
			}
			if n := len(e.Mail.Messages()); n != 0 {
				t.Errorf("%d emails, want none", n)
			}
		})
	}
}
