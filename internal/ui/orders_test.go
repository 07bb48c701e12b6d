package ui_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"switchboard/internal/app/apptest"
	"switchboard/internal/core"
	"switchboard/internal/service"
)

// seedOrders gives the account of email two orders, one real and one a
// test order, as the store keeps them, and returns their ids.
func seedOrders(t *testing.T, e *apptest.Env, email string) (real, test string) {
	t.Helper()
	ctx := context.Background()
	u := mustUser(t, e, email)
	in, err := e.App.Integrations.CreateIntegration(ctx, u, "lever", "")
	if err != nil {
		t.Fatal(err)
	}
	name := "Support"
	vac, err := e.App.Service.CreateVacancy(ctx, u, service.VacancyInput{Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for i, who := range []string{"Real Person", service.TestCandidateName} {
		ids[who] = seedOrder(t, e, u, in.ID, vac.ID, who, core.StateCompleted, time.Now().Add(time.Duration(i)*time.Minute))
	}
	test = ids[service.TestCandidateName]
	if err := e.App.Store.MarkOrderTest(ctx, test); err != nil {
		t.Fatal(err)
	}
	return ids["Real Person"], test
}

// seedOrder stores an ad-hoc order of a vacancy in state st for a new
// candidate named who, and returns its id.
func seedOrder(t *testing.T, e *apptest.Env, u core.User, integrationID, vacancyID, who string, st core.State, at time.Time) string {
	t.Helper()
	ctx := context.Background()
	c, err := e.App.Store.UpsertCandidate(ctx, core.Candidate{ID: core.NewID("cand"), AccountID: u.AccountID, IntegrationID: integrationID,
		ExternalID: core.NewID("opp"), Name: who, Email: strings.ReplaceAll(strings.ToLower(who), " ", ".") + "@example.com",
		CreatedAt: at, UpdatedAt: at})
	if err != nil {
		t.Fatal(err)
	}
	o := core.Order{ID: core.NewID("ord"), AccountID: u.AccountID, IntegrationID: integrationID, VacancyID: vacancyID, CandidateID: c.ID,
		State: st, Mode: core.ModeAdHoc, ExternalID: c.ExternalID, CreatedAt: at, UpdatedAt: at, Version: 1}
	if st == core.StateCompleted {
		o.CompletedAt = at
	}
	if err := e.App.Store.CreateOrder(ctx, o); err != nil {
		t.Fatal(err)
	}
	return o.ID
}

// withOrders is an admin signed in to an account with the orders of
// seedOrders.
func withOrders(t *testing.T) (b *browser, real, test string) {
	t.Helper()
	e, b := signedInAdmin(t)
	real, test = seedOrders(t, e, "admin@acme.example")
	return b, real, test
}

// TestTestOrdersAreBadgedAndFiltered: the orders list marks test orders,
// the Kind filter keeps test or real ones, and the order page says so.
func TestTestOrdersAreBadgedAndFiltered(t *testing.T) {
	t.Parallel()
	b, real, test := withOrders(t)

	listed := func(body string) []string {
		var ids []string
		for _, id := range []string{real, test} {
			if strings.Contains(body, `href="/orders/`+id+`"`) {
				ids = append(ids, id)
			}
		}
		return ids
	}
	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{real, test}},
		{"?test=true", []string{test}},
		{"?test=false", []string{real}},
	}
	for _, tt := range tests {
		resp, body := b.get("/orders" + tt.query)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("/orders%s: %d", tt.query, resp.StatusCode)
		}
		if got := listed(body); strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("/orders%s lists %v, want %v", tt.query, got, tt.want)
		}
		wantBadges := 0
		if slices.Contains(tt.want, test) {
			wantBadges = 1
		}
		if n := strings.Count(body, `class="badge-test"`); n != wantBadges {
			t.Errorf("/orders%s shows %d test badges, want %d", tt.query, n, wantBadges)
		}
	}
	if _, body := b.get("/orders?test=true"); !strings.Contains(body, `<option value="true" selected>Test orders</option>`) {
		t.Error("the Kind filter does not show the chosen value back")
	}
	if _, body := b.get("/orders?test=maybe"); !strings.Contains(body, "use true (test orders only) or false (real orders only)") || len(listed(body)) != 0 {
		t.Error("a bad Kind value is not explained next to its field")
	}

	if _, body := b.get("/orders/" + test); !strings.Contains(body, `id="order-test"`) {
		t.Error("the test order's page has no test badge")
	}
	if _, body := b.get("/orders/" + real); strings.Contains(body, `id="order-test"`) {
		t.Error("a real order's page has a test badge")
	}
}

// TestOrderRefusalsSayWhy: a refused action on an order comes back as a
// sentence about the order, not the service's error chain.
func TestOrderRefusalsSayWhy(t *testing.T) {
	t.Parallel()
	b, real, _ := withOrders(t)

	b.get("/orders/" + real)
	_, body := b.post("/orders/"+real+"/resend", url.Values{})
	text := html.UnescapeString(body)
	if !strings.Contains(text, "The invitation cannot be resent: the order is completed.") {
		t.Errorf("resend on a completed order does not say why")
	}
	if strings.Contains(text, "resend invitation:") || strings.Contains(text, ": conflict") {
		t.Errorf("resend refusal shows the error chain")
	}
}
