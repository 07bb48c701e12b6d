package app_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"switchboard/internal/app/apptest"
	"switchboard/internal/ats/lever"
)

// TestLeverReinvite: an expired invitation is renewed as a new order, by
// the recruiter's Re-invite (the resend endpoint) or by a new move to the
// trigger stage in Lever. The candidate gets a new link that works, the old
// one stays expired, Lever is told "invited" again, and the expired order
// says what replaced it. A trigger for an order that is still open is
// ignored with a line on its timeline, and the replaced order cannot be
// re-invited twice.
func TestLeverReinvite(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// reinvite renews the expired order and returns the new order's id.
		reinvite func(t *testing.T, e *apptest.Env, f apptest.LeverFixture, opp lever.Opportunity, expiredID string) string
	}{
		{"resend", func(t *testing.T, e *apptest.Env, f apptest.LeverFixture, _ lever.Opportunity, expiredID string) string {
			var out struct {
				OrderID   string `json:"order_id"`
				Reinvited bool   `json:"reinvited"`
			}
			e.MustAPI(http.StatusAccepted, f.APIKey, "POST", "/orders/"+expiredID+"/resend-invitation", nil, &out)
			if !out.Reinvited || out.OrderID == "" || out.OrderID == expiredID {
				t.Fatalf("re-invite answer %+v, want a new order id", out)
			}
			return out.OrderID
		}},
		{"new stage change", func(t *testing.T, e *apptest.Env, f apptest.LeverFixture, opp lever.Opportunity, _ string) string {
			moveOutAndBack(t, e, f, opp.ID)
			for _, o := range ordersOf(e, f) {
				if o.State == "invited" {
					return o.ID
				}
			}
			t.Fatalf("no invited order after the new stage change: %+v", ordersOf(e, f))
			return ""
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := apptest.New(t, apptest.Options{})
			f := e.SetupLever(apptest.LeverOptions{})
			ctx := context.Background()
			opp, oldLink := invited(t, e, f, "Ada Lovelace", "ada@example.com")
			e.Clock.Advance(7*24*time.Hour + time.Minute)
			if n, err := e.App.Engine.ExpireDue(ctx); n != 1 || err != nil {
				t.Fatalf("expire due: %d, %v", n, err)
			}
			e.WaitIdle()
			expired := onlyOrder(t, e, f).Order

			newID := tc.reinvite(t, e, f, opp, expired.ID)
			e.WaitIdle()

			if n, list := orders(e, f.APIKey); n != 2 {
				t.Fatalf("orders: %d %+v, want the expired one and its re-invitation", n, list)
			}
			old, renewed := order(e, f.APIKey, expired.ID), order(e, f.APIKey, newID)
			if old.Order.State != "expired" || renewed.Order.State != "invited" {
				t.Fatalf("states: old %s, new %s; want expired and invited", old.Order.State, renewed.Order.State)
			}
			if renewed.Order.ExternalID != opp.ID || renewed.Order.ExternalJobID != expired.ExternalJobID {
				t.Errorf("re-invitation is for %+v, want Ada's opportunity", renewed.Order)
			}
			if len(old.entries("reinvited", newID)) != 1 {
				t.Errorf("the expired order does not say what replaced it:%s", old.dump())
			}
			if len(renewed.entries("state", "replacing expired order "+expired.ID)) != 1 {
				t.Errorf("the new order does not say what it replaces:%s", renewed.dump())
			}

			// A new email with a new link that works; the old link stays expired.
			msgs := e.Mail.Messages()
			if len(msgs) != 2 {
				t.Fatalf("emails: %d, want the invitation and the re-invitation", len(msgs))
			}
			newLink := invitationLink(t, e, msgs[1])
			if newLink == oldLink {
				t.Fatal("the re-invitation sent the expired link again")
			}
			if resp, body := e.Get(newLink); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Start the assessment") {
				t.Errorf("new link: %d", resp.StatusCode)
			}
			if resp, body := e.Get(oldLink); resp.StatusCode != http.StatusGone || !strings.Contains(body, "has sent you a new invitation") {
				t.Errorf("old link: %d, want 410 pointing to the new invitation\n%s", resp.StatusCode, body)
			}

			// Lever is told again: the invited tag is back and a third note says so.
			if len(renewed.entries("write_back", "Lever told: invited")) != 1 {
				t.Errorf("the re-invitation was not written back:%s", renewed.dump())
			}
			got, _ := e.Lever.Opportunity(opp.ID)
			if !slices.Contains(got.Tags, "Switchboard: invited") || slices.Contains(got.Tags, "Switchboard: expired") {
				t.Errorf("tags %v, want the invited tag and not the expired one", got.Tags)
			}
			if notes := noteTexts(e, opp.ID); len(notes) != 3 || !strings.Contains(notes[2], "was invited") {
				t.Errorf("notes %q, want invited, expired, invited", notes)
			}

			// The replaced order cannot be re-invited again.
			if status := e.API(f.APIKey, "POST", "/orders/"+expired.ID+"/resend-invitation", nil, nil); status != http.StatusConflict {
				t.Errorf("re-inviting the replaced order: %d, want 409", status)
			}

			// A new trigger while the re-invitation is open does nothing, and says so.
			refill(e)
			moveOutAndBack(t, e, f, opp.ID)
			if n, _ := orders(e, f.APIKey); n != 2 {
				t.Errorf("orders after a trigger for an open order: %d, want 2", n)
			}
			if n := len(e.Mail.Messages()); n != 2 {
				t.Errorf("emails after a trigger for an open order: %d, want 2", n)
			}
			renewed = order(e, f.APIKey, newID)
			if len(renewed.entries("ignored", "invitation is still valid")) != 1 {
				t.Errorf("the ignored trigger left no line on the open order:%s", renewed.dump())
			}

			// Completed, Lever shows the score alone of Switchboard's state tags.
			completeAssessment(t, newLink)
			e.WaitIdle()
			renewed = order(e, f.APIKey, newID)
			if renewed.Order.State != "completed" || renewed.Result == nil {
				t.Fatalf("re-invitation %+v after the assessment, want completed", renewed.Order)
			}
			got, _ = e.Lever.Opportunity(opp.ID)
			if want := []string{fmt.Sprintf("Switchboard: %d%%", renewed.Result.Score)}; !slices.Equal(switchboardTags(got.Tags), want) {
				t.Errorf("tags %v, want Switchboard's to be %v", got.Tags, want)
			}
		})
	}
}

// moveOutAndBack moves an opportunity off the trigger stage and onto it
// again, as a recruiter asking for the assessment again would.
func moveOutAndBack(t *testing.T, e *apptest.Env, f apptest.LeverFixture, oppID string) {
	t.Helper()
	ctx := context.Background()
	var other string
	for _, s := range e.Lever.Stages() {
		if s.ID != f.TriggerStage {
			other = s.ID
			break
		}
	}
	for _, stage := range []string{other, f.TriggerStage} {
		ds, err := e.Lever.MoveStage(ctx, oppID, stage)
		if err != nil || len(ds) != 1 || ds[0].StatusCode != http.StatusOK {
			t.Fatalf("move to %s: %s, %v", stage, outcome(ds), err)
		}
		e.WaitIdle()
	}
}

func ordersOf(e *apptest.Env, f apptest.LeverFixture) []apiOrder {
	_, list := orders(e, f.APIKey)
	return list
}

// switchboardTags are the tags Switchboard wrote (default prefix).
func switchboardTags(tags []string) []string {
	var out []string
	for _, t := range tags {
		if strings.HasPrefix(t, "Switchboard: ") {
			out = append(out, t)
		}
	}
	return out
}
