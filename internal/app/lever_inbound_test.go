package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"switchboard/internal/app/apptest"
	"switchboard/internal/ats/lever"
)

// TestLeverApplicationCreated: with applicationCreated on, applying to a
// tagged posting invites at once, and the later move to the trigger stage
// does not order again. Switched off, the applicationCreated delivery is
// acknowledged and ignored, and only the stage move orders.
func TestLeverApplicationCreated(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		on   bool
		// together moves the candidate before Switchboard has processed the
		// application, so both events are resolved around the same time.
		together bool
	}{
		{"on", true, false},
		{"on, moved before the application is processed", true, true},
		{"switched off", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dialects(t, func(t *testing.T, dialect string) {
				e := apptest.New(t, apptest.Options{Dialect: dialect})
				// Lever keeps sending applicationCreated, signed with its own
				// token, whether or not Switchboard uses it.
				f := e.SetupLever(apptest.LeverOptions{ApplicationCreated: true})
				if !tc.on {
					e.MustAPI(http.StatusOK, f.APIKey, "PATCH", "/integrations/"+f.IntegrationID,
						map[string]any{"settings": map[string]string{lever.SettingApplicationCreated: "false"}}, nil)
				}
				ctx := context.Background()

				opp, ds, err := e.Lever.CreateOpportunity(ctx, "Grace Hopper", "grace@example.com", f.PostingID)
				if err != nil || len(ds) != 1 || ds[0].Event != lever.EventApplicationCreated || ds[0].StatusCode != http.StatusOK {
					t.Fatalf("applicationCreated delivery: %s, %v", outcome(ds), err)
				}
				if tc.together {
					e.Clock.Advance(time.Millisecond)
					if ds, err := e.Lever.MoveStage(ctx, opp.ID, f.TriggerStage); err != nil || len(ds) != 1 || ds[0].StatusCode != http.StatusOK {
						t.Fatalf("stage change delivery: %s, %v", outcome(ds), err)
					}
				}
				e.WaitIdle()
				wantOrders := map[bool]int{true: 1, false: 0}[tc.on]
				if total, _ := orders(e, f.APIKey); total != wantOrders {
					t.Fatalf("orders after applying: %d, want %d", total, wantOrders)
				}
				if got := len(e.Mail.Messages()); got != wantOrders {
					t.Fatalf("emails after applying: %d, want %d", got, wantOrders)
				}
				if !tc.on {
					if got, _ := e.Lever.Opportunity(opp.ID); len(got.Tags) != 0 || len(e.Lever.Notes(opp.ID)) != 0 {
						t.Fatalf("ignored application was written back: tags %v, notes %q", got.Tags, noteTexts(e, opp.ID))
					}
				}

				if !tc.together {
					ds, err = e.Lever.MoveStage(ctx, opp.ID, f.TriggerStage)
					if err != nil || len(ds) != 1 || ds[0].StatusCode != http.StatusOK {
						t.Fatalf("stage change delivery: %s, %v", outcome(ds), err)
					}
					e.WaitIdle()
				}

				// Either way, one order, one email, one invited tag and note.
				d := onlyOrder(t, e, f)
				if d.Order.State != "invited" || d.Order.ExternalID != opp.ID {
					t.Errorf("order: %+v", d.Order)
				}
				if got := len(e.Mail.Messages()); got != 1 {
					t.Errorf("emails: %d, want 1", got)
				}
				got, _ := e.Lever.Opportunity(opp.ID)
				if n := countContaining(got.Tags, "Switchboard: invited"); n != 1 {
					t.Errorf("tags %v: %d invited tags, want 1", got.Tags, n)
				}
				notes := noteTexts(e, opp.ID)
				if len(notes) != 1 || countContaining(notes, "was invited") != 1 {
					t.Errorf("notes: %q, want one invited note", notes)
				}
				if n := e.Lever.RequestCount("POST", "/opportunities/{id}/notes"); n != 1 {
					t.Errorf("notes posted to Lever: %d, want 1", n)
				}
				if n := len(d.entries("write_back", "told: invited")); n != 1 {
					t.Errorf("invited write-backs: %d, want 1:%s", n, d.dump())
				}
			})
		})
	}
}

// TestLeverRedeliveredWebhook: Lever retrying one delivery, one after another
// and all at once, makes one order, one email and one note.
func TestLeverRedeliveredWebhook(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		f := e.SetupLever(apptest.LeverOptions{})
		ctx := context.Background()
		opp, _, err := e.Lever.CreateOpportunity(ctx, "Katherine Johnson", "katherine@example.com", f.PostingID)
		if err != nil {
			t.Fatal(err)
		}
		ds, err := e.Lever.MoveStage(ctx, opp.ID, f.TriggerStage)
		if err != nil || len(ds) != 1 || ds[0].StatusCode != http.StatusOK {
			t.Fatalf("stage change delivery: %s, %v", outcome(ds), err)
		}

		// At once, while the first is still being processed.
		var wg sync.WaitGroup
		statuses := make([]int, 8)
		for i := range statuses {
			wg.Go(func() {
				d, err := e.Lever.Redeliver(ctx, ds[0])
				if err != nil || d.Err != nil {
					t.Errorf("redeliver: %v %v", err, d.Err)
				}
				statuses[i] = d.StatusCode
			})
		}
		wg.Wait()
		for i, s := range statuses {
			if s != http.StatusOK {
				t.Errorf("concurrent redelivery %d: %d, want 200", i, s)
			}
		}
		e.WaitIdle()
		// And later, one after another, after everything was done.
		for range 3 {
			d, err := e.Lever.Redeliver(ctx, ds[0])
			if err != nil || d.StatusCode != http.StatusOK {
				t.Fatalf("redeliver: %d %v %v", d.StatusCode, err, d.Err)
			}
		}
		e.WaitIdle()

		d := onlyOrder(t, e, f)
		if d.Order.State != "invited" {
			t.Errorf("order state %s", d.Order.State)
		}
		if n := len(e.Mail.Messages()); n != 1 {
			t.Errorf("emails: %d, want 1", n)
		}
		if notes := noteTexts(e, opp.ID); len(notes) != 1 || !strings.Contains(notes[0], "was invited") {
			t.Errorf("notes: %q, want one invited note", notes)
		}
		if n := countRows(t, e, "inbound_events"); n != 1 {
			t.Errorf("inbound events stored: %d, want 1", n)
		}
		if n := len(d.entries("state", "Order received")); n != 1 {
			t.Errorf("order received %d times:%s", n, d.dump())
		}
	})
}

// TestLeverConcurrentEventsOneOrder: several distinct, genuine events for
// one opportunity (Lever retrying with new tokens, automation moving the
// candidate, applicationCreated and candidateStageChange together) are all
// stored and processed at the same time; they make one order, one email and
// one note.
func TestLeverConcurrentEventsOneOrder(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		f := e.SetupLever(apptest.LeverOptions{})
		ctx := context.Background()
		opp, _, err := e.Lever.CreateOpportunity(ctx, "Katherine Johnson", "katherine@example.com", f.PostingID)
		if err != nil {
			t.Fatal(err)
		}
		// The candidate reaches the trigger stage while Switchboard is not
		// listening, so no order exists before the concurrent events.
		e.MustAPI(http.StatusOK, f.APIKey, "POST", "/integrations/"+f.IntegrationID+"/disable", nil, nil)
		if _, err := e.Lever.MoveStage(ctx, opp.ID, f.TriggerStage); err != nil {
			t.Fatal(err)
		}
		e.MustAPI(http.StatusOK, f.APIKey, "POST", "/integrations/"+f.IntegrationID+"/enable", nil, nil)
		refill(e)

		now := e.Clock.Now()
		var wg sync.WaitGroup
		for i := range 5 {
			p := webhookPayload(lever.EventCandidateStageChange, opp.ID, f.TriggerStage, apptest.StageChangeToken,
				now.Add(-time.Duration(i)*time.Millisecond))
			wg.Go(func() {
				if status, resp := post(t, f.WebhookURL, mustJSON(t, p)); status != http.StatusOK || !strings.Contains(resp, "accepted") {
					t.Errorf("delivery %d: %d %s, want 200 accepted", i, status, resp)
				}
			})
		}
		wg.Wait()
		e.WaitIdle()

		if n := countRows(t, e, "inbound_events"); n != 5 {
			t.Errorf("inbound events stored: %d, want 5", n)
		}
		d := onlyOrder(t, e, f)
		if n := len(d.entries("state", "Order received")); n != 1 {
			t.Errorf("order received %d times:%s", n, d.dump())
		}
		if n := len(e.Mail.Messages()); n != 1 {
			t.Errorf("emails: %d, want 1", n)
		}
		if notes := noteTexts(e, opp.ID); len(notes) != 1 {
			t.Errorf("notes: %q, want one invited note", notes)
		}
		if len(d.entries("job_failed", "")) != 0 || e.Lever.ThrottledCount() != 0 {
			t.Errorf("throttled %d times; timeline:%s", e.Lever.ThrottledCount(), d.dump())
		}
	})
}

// TestLeverWebhookRefusals: what is not a verifiable, fresh Lever delivery
// for an enabled integration is refused with a clear 4xx and stores
// nothing; Lever's test ping is acknowledged and stores nothing.
func TestLeverWebhookRefusals(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		f := e.SetupLever(apptest.LeverOptions{})
		// The applicationCreated webhook has its own token; it must not
		// sign candidateStageChange deliveries.
		e.MustAPI(http.StatusOK, f.APIKey, "PUT", "/integrations/"+f.IntegrationID+"/credentials/"+lever.CredentialApplicationCreateToken,
			map[string]string{"value": apptest.AppCreatedToken}, nil)
		ctx := context.Background()
		opp, _, err := e.Lever.CreateOpportunity(ctx, "Alan Turing", "alan@example.com", f.PostingID)
		if err != nil {
			t.Fatal(err)
		}
		now := e.Clock.Now()
		stageChange := func(signToken string, at time.Time) lever.WebhookPayload {
			return webhookPayload(lever.EventCandidateStageChange, opp.ID, f.TriggerStage, signToken, at)
		}
		body := func(p lever.WebhookPayload) []byte { return mustJSON(t, p) }
		wrongSig := stageChange(apptest.StageChangeToken, now)
		wrongSig.Signature = lever.Sign("some-other-secret", wrongSig.Token, wrongSig.TriggeredAt)
		var missingSig map[string]any // no "signature" field at all
		if err := json.Unmarshal(body(stageChange(apptest.StageChangeToken, now)), &missingSig); err != nil {
			t.Fatal(err)
		}
		delete(missingSig, "signature")
		emptySig := stageChange(apptest.StageChangeToken, now)
		emptySig.Signature = ""
		tamperedTime := stageChange(apptest.StageChangeToken, now)
		tamperedTime.TriggeredAt++
		otherIntegration := strings.Replace(f.WebhookURL, f.IntegrationID, "int_doesnotexist", 1)

		for _, tc := range []struct {
			name   string
			url    string
			body   []byte
			status int
		}{
			{"wrong signature", f.WebhookURL, body(wrongSig), http.StatusUnauthorized},
			{"missing signature", f.WebhookURL, mustJSON(t, missingSig), http.StatusUnauthorized},
			{"empty signature", f.WebhookURL, body(emptySig), http.StatusUnauthorized},
			{"signed with the applicationCreated token", f.WebhookURL, body(stageChange(apptest.AppCreatedToken, now)), http.StatusUnauthorized},
			{"triggeredAt changed after signing", f.WebhookURL, body(tamperedTime), http.StatusUnauthorized},
			{"malformed JSON", f.WebhookURL, []byte(`{"event":"candidateStageChange","token":`), http.StatusBadRequest},
			{"not an object", f.WebhookURL, []byte(`null`), http.StatusBadRequest},
			{"empty body", f.WebhookURL, nil, http.StatusBadRequest},
			{"triggeredAt two hours old", f.WebhookURL, body(stageChange(apptest.StageChangeToken, now.Add(-2*time.Hour))), http.StatusBadRequest},
			{"triggeredAt two hours ahead", f.WebhookURL, body(stageChange(apptest.StageChangeToken, now.Add(2*time.Hour))), http.StatusBadRequest},
			{"unknown integration", otherIntegration, body(stageChange(apptest.StageChangeToken, now)), http.StatusNotFound},
			{"other provider's path", strings.Replace(f.WebhookURL, "/hooks/lever/", "/hooks/workable/", 1), body(stageChange(apptest.StageChangeToken, now)), http.StatusNotFound},
		} {
			status, resp := post(t, tc.url, tc.body)
			if status != tc.status {
				t.Errorf("%s: %d %s, want %d", tc.name, status, resp, tc.status)
			}
			if !strings.Contains(resp, `"error"`) {
				t.Errorf("%s: answer %q has no error message", tc.name, resp)
			}
		}

		// Lever's "test connection" ping is signed, has no opportunity, and
		// must be answered 200.
		pings, err := e.Lever.Ping(ctx, lever.EventCandidateStageChange)
		if err != nil || len(pings) != 1 || pings[0].StatusCode != http.StatusOK {
			t.Errorf("ping: %s, %v", outcome(pings), err)
		}

		// A disabled integration refuses even a well-signed delivery.
		e.MustAPI(http.StatusOK, f.APIKey, "POST", "/integrations/"+f.IntegrationID+"/disable", nil, nil)
		ds, err := e.Lever.MoveStage(ctx, opp.ID, f.TriggerStage)
		if err != nil || len(ds) != 1 || ds[0].StatusCode != http.StatusConflict {
			t.Errorf("delivery to a disabled integration: %s, %v; want 409", outcome(ds), err)
		}

		e.WaitIdle()
		if total, _ := orders(e, f.APIKey); total != 0 {
			t.Errorf("orders: %d, want 0", total)
		}
		// Only the ping is recorded (its signed key, no payload), as ignored.
		if n := countRows(t, e, "inbound_events"); n != 1 {
			t.Errorf("inbound events stored: %d, want 1 (the ping)", n)
		}
		if n := len(e.Mail.Messages()); n != 0 {
			t.Errorf("emails: %d, want 0", n)
		}
		if got, _ := e.Lever.Opportunity(opp.ID); len(got.Tags) != 0 || len(e.Lever.Notes(opp.ID)) != 0 {
			t.Errorf("written back anyway: tags %v, notes %q", got.Tags, noteTexts(e, opp.ID))
		}

		// Control: enabled again, Lever's redelivery of that same move is
		// accepted and invites, so the refusals above were not an accident
		// of how the test builds requests.
		e.MustAPI(http.StatusOK, f.APIKey, "POST", "/integrations/"+f.IntegrationID+"/enable", nil, nil)
		d, err := e.Lever.Redeliver(ctx, ds[0])
		if err != nil || d.StatusCode != http.StatusOK {
			t.Fatalf("redelivery once enabled: %d, %v", d.StatusCode, err)
		}
		status, resp := post(t, f.WebhookURL, body(stageChange(apptest.StageChangeToken, now.Add(-time.Minute))))
		if status != http.StatusOK || !strings.Contains(resp, "accepted") {
			t.Errorf("a correctly signed delivery a minute old: %d %s, want 200 accepted", status, resp)
		}
		e.WaitIdle()
		if total, _ := orders(e, f.APIKey); total != 1 || len(e.Mail.Messages()) != 1 {
			t.Errorf("after the control delivery: %d orders, %d emails; want 1 and 1", total, len(e.Mail.Messages()))
		}
		if got, _ := e.Lever.Opportunity(opp.ID); !slices.Contains(got.Tags, "Switchboard: invited") {
			t.Errorf("after the control delivery: tags %v", got.Tags)
		}
	})
}
