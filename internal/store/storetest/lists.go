package storetest

import (
	"cmp"
	"slices"
	"testing"
	"time"

	"switchboard/internal/core"
	"switchboard/internal/store"
)

func testListOrdersFilters(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := newWorld(t, s, "acme")
	gh := newIntegration(t, s, w.account.ID, "greenhouse")
	v2 := newVacancy(t, s, w.account.ID, "Designer", "SB-design")
	c2 := newCandidate(t, s, gh, "Bob Builder", "bob@builder.example")

	o1 := newOrder(t, s, w.integration, w.vacancy.ID, w.candidate.ID, at(100))
	o2 := newOrder(t, s, w.integration, v2.ID, w.candidate.ID, at(200))
	o2.State = core.StateInvited
	ok(t, s.UpdateOrder(ctx, o2), "invite o2")
	o2.Version++
	o3 := newOrder(t, s, gh, w.vacancy.ID, c2.ID, at(300))
	o4 := newOrder(t, s, w.integration, "", w.candidate.ID, at(400))

	page, err := s.ListOrders(ctx, w.account.ID, store.OrderFilter{})
	ok(t, err, "list all")
	equal(t, "all orders newest first", orderIDs(page.Items), []string{o4.ID, o3.ID, o2.ID, o1.ID})
	equal(t, "total", page.Total, 4)
	equal(t, "listed order", page.Items[2].Order, o2)
	equal(t, "names of o2", [3]string{page.Items[2].CandidateName, page.Items[2].CandidateEmail, page.Items[2].VacancyName},
		[3]string{w.candidate.Name, w.candidate.Email, v2.Name})
	equal(t, "names of o3", [3]string{page.Items[1].CandidateName, page.Items[1].CandidateEmail, page.Items[1].VacancyName},
		[3]string{c2.Name, c2.Email, w.vacancy.Name})
	equal(t, "vacancy name of an order without vacancy", page.Items[0].VacancyName, "")

	cases := []struct {
		name string
		f    store.OrderFilter
		want []string
	}{
		{"integration", store.OrderFilter{IntegrationID: w.integration.ID}, []string{o4.ID, o2.ID, o1.ID}},
		{"vacancy", store.OrderFilter{VacancyID: w.vacancy.ID}, []string{o3.ID, o1.ID}},
		{"state", store.OrderFilter{State: core.StateReceived}, []string{o4.ID, o3.ID, o1.ID}},
		{"state invited", store.OrderFilter{State: core.StateInvited}, []string{o2.ID}},
		{"from is inclusive", store.OrderFilter{CreatedFrom: at(200)}, []string{o4.ID, o3.ID, o2.ID}},
		{"to is exclusive", store.OrderFilter{CreatedTo: at(300)}, []string{o2.ID, o1.ID}},
		{"range", store.OrderFilter{CreatedFrom: at(200), CreatedTo: at(300)}, []string{o2.ID}},
		{"combined", store.OrderFilter{IntegrationID: w.integration.ID, State: core.StateReceived}, []string{o4.ID, o1.ID}},
		{"nothing", store.OrderFilter{IntegrationID: gh.ID, State: core.StateInvited}, []string{}},
		{"unknown vacancy", store.OrderFilter{VacancyID: "vac_missing"}, []string{}},
	}
	for _, tc := range cases {
		page, err := s.ListOrders(ctx, w.account.ID, tc.f)
		ok(t, err, "list orders by %s", tc.name)
		equal(t, "orders by "+tc.name, orderIDs(page.Items), tc.want)
		equal(t, "total by "+tc.name, page.Total, len(tc.want))
	}
}

func testListOrdersPaging(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := newWorld(t, s, "acme")
	var all []core.Order
	for _, sec := range []int{10, 20, 20, 20, 30, 40, 50} { // ties broken by id, descending
		all = append(all, newOrder(t, s, w.integration, w.vacancy.ID, w.candidate.ID, at(sec)))
	}
	slices.SortFunc(all, func(a, b core.Order) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	want := make([]string, len(all))
	for i, o := range all {
		want[i] = o.ID
	}

	var got []string
	for offset := 0; offset < len(all); offset += 3 {
		page, err := s.ListOrders(ctx, w.account.ID, store.OrderFilter{Limit: 3, Offset: offset})
		ok(t, err, "page at %d", offset)
		equal(t, "total", page.Total, len(all))
		if len(page.Items) > 3 {
			t.Fatalf("page at %d has %d items, limit 3", offset, len(page.Items))
		}
		got = append(got, orderIDs(page.Items)...)
	}
	equal(t, "pages in order", got, want)

	page, err := s.ListOrders(ctx, w.account.ID, store.OrderFilter{Limit: 3, Offset: 100})
	ok(t, err, "page past the end")
	equal(t, "items past the end", len(page.Items), 0)
	equal(t, "total past the end", page.Total, len(all))

	page, err = s.ListOrders(ctx, w.account.ID, store.OrderFilter{Limit: 2, Offset: -5})
	ok(t, err, "negative offset")
	equal(t, "negative offset starts at the top", orderIDs(page.Items), want[:2])
}

func testListOrdersLimits(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := newWorld(t, s, "acme")
	const n = 205
	ok(t, s.InTx(ctx, func(tx store.Tx) error {
		for i := range n {
			newOrder(t, tx, w.integration, w.vacancy.ID, w.candidate.ID, at(i))
		}
		return nil
	}), "create %d orders", n)

	for _, tc := range []struct{ limit, offset, want int }{
		{0, 0, 50},    // default
		{-1, 0, 50},   // default
		{10, 0, 10},   // as asked
		{200, 0, 200}, // the cap itself
		{500, 0, 200}, // capped
		{500, 200, 5}, // capped, the rest
	} {
		page, err := s.ListOrders(ctx, w.account.ID, store.OrderFilter{Limit: tc.limit, Offset: tc.offset})
		ok(t, err, "limit %d offset %d", tc.limit, tc.offset)
		equal(t, "items", len(page.Items), tc.want)
		equal(t, "total", page.Total, n)
	}
}

func testListOrdersSearch(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := newWorld(t, s, "acme") // candidate "Ada acme", ada@acme.example
	grace := newCandidate(t, s, w.integration, "Grace Hopper", "grace@NAVY.example")
	edsger := newCandidate(t, s, w.integration, "Edsger 100% Dijkstra", "ed_sger@tue.example")
	alan := newCandidate(t, s, w.integration, "Alan_Turing", "alan@bletchley.example")

	oAda := newOrder(t, s, w.integration, w.vacancy.ID, w.candidate.ID, at(10))
	oGrace := newOrder(t, s, w.integration, w.vacancy.ID, grace.ID, at(20))
	oEdsger := newOrder(t, s, w.integration, w.vacancy.ID, edsger.ID, at(30))
	oAlan := newOrder(t, s, w.integration, w.vacancy.ID, alan.ID, at(40))
	newOrder(t, s, w.integration, w.vacancy.ID, "", at(50)) // no candidate: never matches

	cases := []struct {
		search string
		want   []string
	}{
		{"ada", []string{oAda.ID}},
		{"ADA ACME", []string{oAda.ID}},
		{"navy", []string{oGrace.ID}},   // email, other case
		{"hopper", []string{oGrace.ID}}, // name
		{"example", []string{oAlan.ID, oEdsger.ID, oGrace.ID, oAda.ID}},
		{"%", []string{oEdsger.ID}},             // a literal percent sign, not "anything"
		{"0%", []string{oEdsger.ID}},            //
		{"_", []string{oAlan.ID, oEdsger.ID}},   // a literal underscore, not "any one character"
		{"n_t", []string{oAlan.ID}},             // "Alan_Turing"
		{"a_a", []string{}},                     // not "Ada acme" via "_" = any character
		{`\`, []string{}},                       // the escape character itself
		{`%\_`, []string{}},                     //
		{"ada@acme.example", []string{oAda.ID}}, // whole email
		{"nobody", []string{}},                  //
		{"Grace Hopper", []string{oGrace.ID}},   // whole name
		{"grace hopper ", []string{}},           // not trimmed
		{"ed_sger@tue", []string{oEdsger.ID}},   //
		{"edsger 100% d", []string{oEdsger.ID}}, //
		{"edsger 1000% d", []string{}},          //
		{"a", []string{oAlan.ID, oEdsger.ID, oGrace.ID, oAda.ID}},
		{"e\x00", []string{}},        // not "ends in e": SQLite's LIKE stops at a NUL
		{"\x00", []string{}},         //
		{"example\x00x", []string{}}, //
	}

	for _, tc := range cases {
		page, err := s.ListOrders(ctx, w.account.ID, store.OrderFilter{Search: tc.search})
		ok(t, err, "search %q", tc.search)
		equal(t, "orders matching "+tc.search, orderIDs(page.Items), tc.want)
		equal(t, "total matching "+tc.search, page.Total, len(tc.want))
	}

	page, err := s.ListOrders(ctx, w.account.ID, store.OrderFilter{Search: "example", State: core.StateReceived, Limit: 1, Offset: 1})
	ok(t, err, "search with paging")
	equal(t, "second match", orderIDs(page.Items), []string{oEdsger.ID})
	equal(t, "total of all matches", page.Total, 4)
}

// testListOrdersSearchUnicode: search ignores case beyond ASCII, in both
// dialects (SQLite's own lower() and LIKE fold ASCII only).
func testListOrdersSearchUnicode(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := newWorld(t, s, "acme")
	emilie := newCandidate(t, s, w.integration, "Émilie Ørsted", "ÉMILIE@ÅRHUS.example")
	oEmilie := newOrder(t, s, w.integration, w.vacancy.ID, emilie.ID, at(10))

	for _, search := range []string{"émilie", "ÉMILIE", "ørsted", "ØRSTED", "émilie@århus", "Émilie Ørsted"} {
		page, err := s.ListOrders(ctx, w.account.ID, store.OrderFilter{Search: search})
		ok(t, err, "search %q", search)
		equal(t, "orders matching "+search, orderIDs(page.Items), []string{oEmilie.ID})
	}
	page, err := s.ListOrders(ctx, w.account.ID, store.OrderFilter{Search: "emilie"})
	ok(t, err, "search without the accent")
	equal(t, "orders matching emilie", orderIDs(page.Items), []string{})
}

func testAccountIsolation(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := newWorld(t, s, "alpha")
	b := newWorld(t, s, "beta")
	for _, u := range []core.User{
		{ID: core.NewID("usr"), AccountID: a.account.ID, Email: "u@alpha.example", Role: core.RoleAdmin, CreatedAt: at(1)},
		{ID: core.NewID("usr"), AccountID: b.account.ID, Email: "u@beta.example", Role: core.RoleAdmin, CreatedAt: at(1)},
	} {
		ok(t, s.CreateUser(ctx, u), "create user")
	}
	oa := newOrder(t, s, a.integration, a.vacancy.ID, a.candidate.ID, at(10))
	newOrder(t, s, b.integration, b.vacancy.ID, b.candidate.ID, at(20))

	page, err := s.ListOrders(ctx, a.account.ID, store.OrderFilter{})
	ok(t, err, "list orders of a")
	equal(t, "orders of a", orderIDs(page.Items), []string{oa.ID})
	equal(t, "total of a", page.Total, 1)

	for name, f := range map[string]store.OrderFilter{
		"b's integration": {IntegrationID: b.integration.ID},
		"b's vacancy":     {VacancyID: b.vacancy.ID},
		"b's candidate":   {Search: "beta"},
	} {
		page, err := s.ListOrders(ctx, a.account.ID, f)
		ok(t, err, "list orders of a by %s", name)
		equal(t, "orders of a by "+name, len(page.Items), 0)
		equal(t, "total of a by "+name, page.Total, 0)
	}

	ins, err := s.ListIntegrations(ctx, a.account.ID)
	ok(t, err, "list integrations of a")
	equal(t, "integrations of a", len(ins), 1)
	equal(t, "integration of a", ins[0].ID, a.integration.ID)

	vs, err := s.ListVacancies(ctx, a.account.ID)
	ok(t, err, "list vacancies of a")
	equal(t, "vacancies of a", len(vs), 1)
	equal(t, "vacancy of a", vs[0].ID, a.vacancy.ID)

	us, err := s.ListUsers(ctx, a.account.ID)
	ok(t, err, "list users of a")
	equal(t, "users of a", len(us), 1)
	equal(t, "user of a", us[0].AccountID, a.account.ID)

	none, err := s.ListOrders(ctx, "acc_missing", store.OrderFilter{})
	ok(t, err, "list orders of unknown account")
	equal(t, "orders of unknown account", len(none.Items), 0)
}

func testListExpiredOrderIDs(t *testing.T, s store.Store) {
	l := s
	ctx := t.Context()
	w := newWorld(t, s, "acme")
	other := newWorld(t, s, "other")
	vendor := newVendor(t, s, "Checks")
	outside := newVendorVacancy(t, s, w.account.ID, vendor.ID, "crim", core.KindBackgroundCheck)
	mkOf := func(w world, vacancyID string, state core.State, expires time.Time) core.Order {
		t.Helper()
		o := newOrder(t, s, w.integration, vacancyID, w.candidate.ID, at(1))
		o.State, o.InvitationExpiresAt = state, expires
		ok(t, s.UpdateOrder(ctx, o), "set state and expiry")
		return o
	}
	mk := func(w world, state core.State, expires time.Time) core.Order {
		t.Helper()
		return mkOf(w, w.vacancy.ID, state, expires)
	}
	invited := mk(w, core.StateInvited, at(100))
	started := mk(other, core.StateInProgress, at(50)) // every account
	mk(w, core.StateInvited, at(300))                  // not yet
	mk(w, core.StateCompleted, at(10))                 // cannot expire
	mk(w, core.StateReceived, at(10))                  // cannot expire
	mk(w, core.StateInvited, time.Time{})              // never expires
	// An outside vendor's orders have no invitation expiry: whatever
	// state they are in, the sweep never sees them.
	for _, st := range []core.State{core.StateReceived, core.StateInvited, core.StateInProgress} {
		mkOf(w, outside.ID, st, time.Time{})
	}

	for _, tc := range []struct {
		now   time.Time
		limit int
		want  []string
	}{
		{at(200), 10, []string{started.ID, invited.ID}},
		{at(200), 1, []string{started.ID}},
		{at(200), 0, []string{started.ID, invited.ID}},
		{at(100), 10, []string{started.ID, invited.ID}}, // at the instant counts
		{at(99), 10, []string{started.ID}},
		{at(0), 10, nil},
	} {
		got, err := l.ListExpiredOrderIDs(ctx, tc.now, tc.limit)
		ok(t, err, "list expired at %v", tc.now)
		if len(got) == 0 && len(tc.want) == 0 {
			continue
		}
		equal(t, "expired orders", got, tc.want)
	}
}

// testTestOrders: the test flag is written on create and by MarkOrderTest,
// survives updates that do not know it, and filters lists both ways.
func testTestOrders(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := newWorld(t, s, "acme")
	real := newOrder(t, s, w.integration, w.vacancy.ID, w.candidate.ID, at(100))
	marked := newOrder(t, s, w.integration, w.vacancy.ID, w.candidate.ID, at(200))
	created := core.Order{ID: core.NewID("ord"), AccountID: w.account.ID, IntegrationID: w.integration.ID,
		VacancyID: w.vacancy.ID, CandidateID: w.candidate.ID, State: core.StateReceived, Mode: core.ModeAdHoc,
		ExternalID: "opp_test", CreatedAt: at(300), UpdatedAt: at(300), Version: 1, Test: true}
	ok(t, s.CreateOrder(ctx, created), "create a test order")

	ok(t, s.MarkOrderTest(ctx, marked.ID), "mark an order as a test")
	isErr(t, s.MarkOrderTest(ctx, "ord_missing"), core.ErrNotFound, "mark a missing order")
	// An update from a copy read before the mark keeps the flag.
	marked.State = core.StateInvited
	ok(t, s.UpdateOrder(ctx, marked), "update the marked order from a stale copy")
	got, err := s.GetOrder(ctx, marked.ID)
	ok(t, err, "get the marked order")
	equal(t, "marked order's flag after the update", got.Test, true)
	equal(t, "marked order's state after the update", got.State, core.StateInvited)
	equal(t, "marked order's version", got.Version, marked.Version+1)
	got, err = s.GetOrder(ctx, created.ID)
	ok(t, err, "get the created test order")
	equal(t, "created test order", got, created)
	got, err = s.GetOrder(ctx, real.ID)
	ok(t, err, "get the real order")
	equal(t, "real order's flag", got.Test, false)

	yes, no := true, false
	for _, tc := range []struct {
		name string
		f    store.OrderFilter
		want []string
	}{
		{"all", store.OrderFilter{}, []string{created.ID, marked.ID, real.ID}},
		{"test only", store.OrderFilter{Test: &yes}, []string{created.ID, marked.ID}},
		{"real only", store.OrderFilter{Test: &no}, []string{real.ID}},
		{"test and invited", store.OrderFilter{Test: &yes, State: core.StateInvited}, []string{marked.ID}},
	} {
		page, err := s.ListOrders(ctx, w.account.ID, tc.f)
		ok(t, err, "list %s", tc.name)
		equal(t, "orders "+tc.name, orderIDs(page.Items), tc.want)
		equal(t, "total "+tc.name, page.Total, len(tc.want))
		for _, it := range page.Items {
			equal(t, "listed flag of "+it.ID, it.Test, it.ID != real.ID)
		}
	}
}
