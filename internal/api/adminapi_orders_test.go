package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"switchboard/internal/app/apptest"
	"switchboard/internal/candidatebot"
)

// invitationLink finds the invitation emailed to addr.
func invitationLink(t *testing.T, e *apptest.Env, addr string) string {
	t.Helper()
	for _, m := range e.Mail.Messages() {
		if len(m.To) == 1 && m.To[0] == addr {
			i := strings.Index(m.Text, e.URL+"/a/")
			if i < 0 {
				t.Fatalf("the email to %s has no invitation link: %s", addr, m.Text)
			}
			return strings.Fields(m.Text[i:])[0]
		}
	}
	t.Fatalf("no email to %s", addr)
	return ""
}

// TestOrderListFilters makes orders the way Lever does, in different states,
// vacancies and days, and checks every filter of GET /orders.
func TestOrderListFilters(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupLever(apptest.LeverOptions{})
	owner := e.Lever.AddUser("Sam Sales", "sam@acme.example")
	salesPosting := e.Lever.AddPosting("Sales Representative", []string{"Switchboard: Sales"}, owner.ID).ID
	var sales struct {
		ID string `json:"id"`
	}
	e.MustAPI(http.StatusCreated, f.APIKey, "POST", "/vacancies", map[string]any{"name": "Sales Representative", "tag": "Switchboard: Sales"}, &sales)

	// Day 0: Ada applies to support; her invitation later runs out.
	day0 := e.Clock.Now()
	applyAndTrigger(t, e, "Ada Lovelace", "ada@example.com", f.PostingID)
	ada := orderFor(t, e, f.APIKey, "ada@example.com")

	// Day 10: Ada's invitation (7 days) has expired; Grace applies to support
	// and completes; Alan applies to sales and is still invited.
	e.Clock.Advance(10 * 24 * time.Hour)
	day10 := e.Clock.Now()
	if n, err := e.App.Engine.ExpireDue(context.Background()); err != nil || n != 1 {
		t.Fatalf("ExpireDue = %d, %v; want Ada's order expired", n, err)
	}
	applyAndTrigger(t, e, "Grace Hopper", "grace@example.com", f.PostingID)
	grace := orderFor(t, e, f.APIKey, "grace@example.com")
	if _, err := candidatebot.Take(context.Background(), http.DefaultClient, invitationLink(t, e, "grace@example.com"), candidatebot.FirstOption); err != nil {
		t.Fatal(err)
	}
	e.WaitIdle()
	e.Clock.Advance(time.Minute)
	applyAndTrigger(t, e, "Alan Turing", "alan.turing@example.org", salesPosting)
	alan := orderFor(t, e, f.APIKey, "alan.turing@example.org")

	all := listOrders(t, e, f.APIKey, nil)
	if fmt.Sprint(all.ids()) != fmt.Sprint([]string{alan.ID, grace.ID, ada.ID}) || all.Total != 3 {
		t.Fatalf("all orders, newest first: %v (total %d), want Alan, Grace, Ada", all.ids(), all.Total)
	}
	if all.Limit != 50 || all.Offset != 0 {
		t.Errorf("default paging: limit %d offset %d, want 50 and 0", all.Limit, all.Offset)
	}
	states := map[string]string{}
	for _, o := range all.Orders {
		states[o.CandidateName] = o.State
		if o.IntegrationID != f.IntegrationID || o.VacancyName == "" || o.CandidateEmail == "" {
			t.Errorf("list item lacks its names: %+v", o)
		}
	}
	if fmt.Sprint(states) != fmt.Sprint(map[string]string{"Ada Lovelace": "expired", "Grace Hopper": "completed", "Alan Turing": "invited"}) {
		t.Fatalf("states: %v", states)
	}

	tests := []struct {
		query string
		want  []string
		total int // when paging; else len(want)
	}{
		{query: "state=expired", want: []string{ada.ID}},
		{query: "state=completed", want: []string{grace.ID}},
		{query: "state=invited", want: []string{alan.ID}},
		{query: "state=cancelled", want: []string{}},
		{query: "vacancy=" + f.VacancyID, want: []string{grace.ID, ada.ID}},
		{query: "vacancy=" + sales.ID, want: []string{alan.ID}},
		{query: "vacancy=vac_nosuchvacancy", want: []string{}},
		{query: "integration=" + f.IntegrationID, want: []string{alan.ID, grace.ID, ada.ID}},
		{query: "integration=int_nosuchintegration", want: []string{}},
		{query: "vacancy=" + f.VacancyID + "&state=completed", want: []string{grace.ID}},
		{query: "q=grace", want: []string{grace.ID}},
		{query: "q=HOPPER", want: []string{grace.ID}},
		{query: "q=" + url.QueryEscape("  lovelace "), want: []string{ada.ID}},
		{query: "q=example.org", want: []string{alan.ID}},
		{query: "q=example", want: []string{alan.ID, grace.ID, ada.ID}},
		{query: "q=nobody", want: []string{}},
		{query: "q=%25", want: []string{}}, // a literal %, not a LIKE wildcard
		{query: "q=_", want: []string{}},   // a literal _, not a LIKE wildcard
		{query: "from=" + dayOf(day10), want: []string{alan.ID, grace.ID}},
		{query: "to=" + dayOf(day0), want: []string{ada.ID}}, // a date "to" includes that day
		{query: "from=" + dayOf(day0) + "&to=" + dayOf(day0), want: []string{ada.ID}},
		{query: "from=" + dayOf(day0.AddDate(0, 0, 1)) + "&to=" + dayOf(day10.AddDate(0, 0, -1)), want: []string{}},
		{query: "to=" + url.QueryEscape(day0.Format(time.RFC3339Nano)), want: []string{}}, // RFC 3339 "to" is exclusive
		{query: "from=" + url.QueryEscape(day10.Add(30*time.Second).Format(time.RFC3339)), want: []string{alan.ID}},
		{query: "to=" + url.QueryEscape(day10.Add(30*time.Second).Format(time.RFC3339)), want: []string{grace.ID, ada.ID}},
		{query: "limit=2", want: []string{alan.ID, grace.ID}, total: 3},
		{query: "limit=2&offset=2", want: []string{ada.ID}, total: 3},
		{query: "limit=1&offset=1", want: []string{grace.ID}, total: 3},
		{query: "offset=3", want: []string{}, total: 3},
		{query: "limit=1&q=example&state=invited", want: []string{alan.ID}, total: 1},
	}
	for _, tt := range tests {
		q, err := url.ParseQuery(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		l := listOrders(t, e, f.APIKey, q)
		total := tt.total
		if total == 0 {
			total = len(tt.want)
		}
		if fmt.Sprint(l.ids()) != fmt.Sprint(tt.want) || l.Total != total {
			t.Errorf("GET /orders?%s: %v (total %d), want %v (total %d)", tt.query, names(l), l.Total, names(orderList{Orders: pick(all, tt.want)}), total)
		}
		if q.Has("limit") && l.Limit != atoi(q.Get("limit")) {
			t.Errorf("GET /orders?%s: limit echoed as %d", tt.query, l.Limit)
		}
		if q.Has("offset") && l.Offset != atoi(q.Get("offset")) {
			t.Errorf("GET /orders?%s: offset echoed as %d", tt.query, l.Offset)
		}
	}
}

func pick(all orderList, ids []string) []orderJSON {
	var out []orderJSON
	for _, id := range ids {
		for _, o := range all.Orders {
			if o.ID == id {
				out = append(out, o)
			}
		}
	}
	return out
}

func names(l orderList) []string {
	out := []string{}
	for _, o := range l.Orders {
		out = append(out, o.CandidateName)
	}
	return out
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		panic(err)
	}
	return n
}

func TestOrderListBadFiltersAre422(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	key := e.CreateAccount("Acme Corp", "admin@acme.example")
	tests := []struct {
		query, field string
	}{
		{"state=done", "state"},
		{"state=Invited", "state"},
		{"from=yesterday", "from"},
		{"from=2025-13-01", "from"},
		{"to=01/02/2025", "to"},
		{"to=2025-02-30", "to"},
		{"limit=0", "limit"},
		{"limit=201", "limit"},
		{"limit=-1", "limit"},
		{"limit=ten", "limit"},
		{"limit=1.5", "limit"},
		{"offset=-1", "offset"},
		{"offset=x", "offset"},
		{"test=maybe", "test"},
		{"test=1", "test"},
	}
	for _, tt := range tests {
		eb := apiErr(t, e, http.StatusUnprocessableEntity, key, "GET", "/orders?"+tt.query, nil)
		if eb.Fields[tt.field] == "" {
			t.Errorf("GET /orders?%s: fields %v do not explain %q", tt.query, eb.Fields, tt.field)
		}
	}
	// Every bad filter is reported at once.
	eb := apiErr(t, e, http.StatusUnprocessableEntity, key, "GET", "/orders?state=x&from=x&to=x&limit=x&offset=x", nil)
	for _, f := range []string{"state", "from", "to", "limit", "offset"} {
		if eb.Fields[f] == "" {
			t.Errorf("combined bad filters: fields %v miss %q", eb.Fields, f)
		}
	}
	// The limits themselves are fine.
	for _, q := range []string{"limit=1", "limit=200", "offset=0", "from=2025-01-01T00:00:00Z", "to=2025-01-01"} {
		e.MustAPI(http.StatusOK, key, "GET", "/orders?"+q, nil, nil)
	}
}

func TestResendInvitation(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupLever(apptest.LeverOptions{})
	applyAndTrigger(t, e, "Ada Lovelace", "ada@example.com", f.PostingID)
	applyAndTrigger(t, e, "Grace Hopper", "grace@example.com", f.PostingID)
	ada := orderFor(t, e, f.APIKey, "ada@example.com")
	grace := orderFor(t, e, f.APIKey, "grace@example.com")
	if _, err := candidatebot.Take(context.Background(), http.DefaultClient, invitationLink(t, e, "grace@example.com"), candidatebot.FirstOption); err != nil {
		t.Fatal(err)
	}
	e.WaitIdle()

	e.MustAPI(http.StatusAccepted, f.APIKey, "POST", "/orders/"+ada.ID+"/resend-invitation", nil, nil)
	e.WaitIdle()
	toAda := 0
	for _, m := range e.Mail.Messages() {
		if m.To[0] == "ada@example.com" {
			toAda++
		}
	}
	if toAda != 2 {
		t.Fatalf("emails to Ada after one resend: %d, want 2", toAda)
	}
	// A completed order has nothing to resend.
	eb := apiErr(t, e, http.StatusConflict, f.APIKey, "POST", "/orders/"+grace.ID+"/resend-invitation", nil)
	if !strings.Contains(eb.Error, "completed") {
		t.Errorf("409 error %q should say the order is completed", eb.Error)
	}
	apiErr(t, e, http.StatusNotFound, f.APIKey, "POST", "/orders/ord_nosuchorder/resend-invitation", nil)
	apiErr(t, e, http.StatusNotFound, f.APIKey, "GET", "/orders/ord_nosuchorder", nil)
}

func TestRetryJobIDMustBeAPositiveInteger(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupLever(apptest.LeverOptions{})
	_, job := failedInvitation(t, e, f, "Ada Lovelace", "ada@example.com")
	apiErr(t, e, http.StatusNotFound, f.APIKey, "POST", "/jobs/999999/retry", nil)

	tests := []struct {
		id string
	}{
		{id: "abc"},
		{id: "0"},
		{id: "-1"},
		{id: "1.5"},
		{id: fmt.Sprintf("%dabc", job)},
		{id: fmt.Sprintf("0x%x", job)},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			var out errBody
			status := e.API(f.APIKey, "POST", "/jobs/"+tt.id+"/retry", nil, &out)
			if status != http.StatusBadRequest {
				t.Fatalf("POST /jobs/%s/retry: %d %+v, want 400", tt.id, status, out)
			}
			if !strings.Contains(out.Error, "positive integer") {
				t.Errorf("400 error %q should say the id must be a positive integer", out.Error)
			}
		})
	}
}

// TestOrderSearchIgnoresCaseBeyondASCII: the store promises that q matches
// candidate names "case-insensitively"; names are not all ASCII.
func TestOrderSearchIgnoresCaseBeyondASCII(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			e := apptest.New(t, apptest.Options{Dialect: dialect})
			f := e.SetupLever(apptest.LeverOptions{})
			applyAndTrigger(t, e, "Émilie du Châtelet", "emilie@example.com", f.PostingID)
			for _, q := range []string{"Émilie", "milie DU ch", "émilie", "CHÂTELET"} {
				l := listOrders(t, e, f.APIKey, url.Values{"q": {q}})
				if l.Total != 1 {
					if dialect == "sqlite" && q != "Émilie" && q != "milie DU ch" {
						t.Fatal("internal/store/sqlite/queries.go ListOrders searches with LIKE, which folds only ASCII case: q=émilie / q=CHÂTELET miss \"Émilie du Châtelet\" on SQLite but not on PostgreSQL (ILIKE)")
					}
					t.Fatalf("GET /orders?q=%s: %d orders, want Émilie's", q, l.Total)
				}
			}
		})
	}
}
