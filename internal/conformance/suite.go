package conformance

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"switchboard/examples/examplevendor"
	"switchboard/internal/app/apptest"
	"switchboard/internal/core"
)

// rateLimitOrders is how many orders the rate-limit check places at once:
// enough that their calls overrun any ATS's burst unless Switchboard paces
// them.
const rateLimitOrders = 12

// run is the suite on one database: two groups, each on its own
// Switchboard, in parallel. A group's steps share its set-up and run in
// order, in parts: a step is skipped once an earlier one of its part
// failed, since it builds on it.
func run(t *testing.T, d Driver, dialect string) {
	t.Run("orders", func(t *testing.T) {
		t.Parallel()
		h := setup(t, d, dialect)
		// Fixtures live as long as the group: set up here, not in a step.
		vf := h.e.SetupVendor("Acme Assessments", core.KindAssessment, apptest.VendorOptions{Manual: true}, h.tn.AccountID())
		ordersGroup(h, vf)
		h.part()
		vendorGroup(h, vf)
	})
	t.Run("faults", func(t *testing.T) {
		t.Parallel()
		h := setup(t, d, dialect)
		faultsGroup(h)
		h.part()
		rateLimitGroup(h)
	})
}

// ordersGroup: connect, packages (vf's among them), an order fulfilled
// by the built-in engine, redelivery, refusal and bad inbound credentials.
func ordersGroup(h *harness, vf *apptest.VendorFixture) {
	e, tn := h.e, h.tn
	h.step("connect", func(t *testing.T) {
		var in struct {
			Status string `json:"status"`
		}
		e.MustAPI(http.StatusOK, tn.APIKey(), "GET", "/integrations/"+tn.IntegrationID(), nil, &in)
		if in.Status != "enabled" {
			t.Errorf("after set-up the %s integration is %q, want enabled", h.d.Provider(), in.Status)
		}
		if ok, checks := h.checks(t); !ok {
			t.Errorf("after set-up the validation checklist fails: %+v", checks)
		}
	})

	h.step("packages", func(t *testing.T) {
		// The vendor drops a package: its vacancy is archived.
		var keep []core.VendorPackage
		for _, p := range examplevendor.Catalogue() {
			if p.ID == "sjt-1" {
				continue
			}
			k, err := core.ParseKind(p.Type)
			if err != nil {
				t.Fatal(err)
			}
			keep = append(keep, core.VendorPackage{ID: p.ID, Name: p.Name, Description: p.Description, Kind: k})
		}
		dropped := e.VendorVacancy(tn.AccountID(), vf.Vendor.ID, "sjt-1")
		if _, err := e.App.Vendors.SetStaticPackages(h.ctx, vf.Vendor.ID, keep); err != nil {
			t.Fatal(err)
		}
		vendorVac := e.VendorVacancy(tn.AccountID(), vf.Vendor.ID, "cog-20")
		listed, ok := tn.Packages(t)
		if !ok {
			t.Skipf("%s lists no packages: its jobs pick a vacancy another way", h.d.Provider())
		}
		vs := h.vacancies(t)
		byID := map[string]core.Vacancy{}
		for _, v := range vs {
			byID[v.ID] = v
		}
		if !byID[dropped.ID].Archived {
			t.Fatalf("the dropped package's vacancy %s is not archived", dropped.ID)
		}
		builtIn := 0
		for _, id := range listed {
			v, mine := byID[id]
			switch {
			case !mine:
				t.Errorf("%s lists %q, which is no vacancy of the account", h.d.Provider(), id)
			case v.Archived:
				t.Errorf("%s lists the archived vacancy %s (%s)", h.d.Provider(), id, v.Name)
			case v.Builtin():
				builtIn++
			}
		}
		if builtIn == 0 {
			t.Errorf("%s lists %v: none of the account's built-in vacancies", h.d.Provider(), listed)
		}
		if !slices.Contains(listed, vendorVac.ID) {
			t.Errorf("%s lists %v: not the outside vendor's package %s (%s)", h.d.Provider(), listed, vendorVac.ID, vendorVac.Name)
		}
	})

	var c Candidate
	var ref Ref
	var invitedWrites int
	h.step("order_invites", func(t *testing.T) {
		v := h.builtIn(t)
		tn.Offer(t, v)
		c = h.candidate()
		ref = tn.Order(t, c)
		e.WaitIdle()
		d := h.orderOf(t, ref)
		if d.Order.State != string(core.StateInvited) || d.Order.CandidateEmail != c.Email || d.Order.VacancyName != v.Name {
			t.Errorf("the admin API shows order %+v, want %s invited to %q", d.Order, c.Email, v.Name)
		}
		if ref.OrderID == "" {
			ref.OrderID = d.Order.ID
		}
		h.invitation(t, c)
		s := h.shown(t, ref)
		if s.State != core.StateInvited {
			t.Errorf("%s shows %+v, want invited", h.d.Provider(), s)
		}
		// An ATS that pulls results learns of the invitation by asking; one
		// that is only pushed them, from a write.
		if s.Writes == 0 && !h.desc.Results.Pulled() {
			t.Errorf("%s shows the invitation without any write by Switchboard: %+v", h.d.Provider(), s)
		}
		invitedWrites = s.Writes
	})

	h.step("redelivery", func(t *testing.T) {
		before := h.stored(t)
		tn.Redeliver(t, ref)
		e.WaitIdle()
		after := h.stored(t)
		if after.orders != before.orders || after.mails != before.mails || after.candidates != before.candidates {
			t.Errorf("a redelivered order made something new: before %+v, after %+v", before, after)
		}
		if n := len(h.mailsTo(c.Email)); n != 1 {
			t.Errorf("%d emails to %s after the redelivery, want 1", n, c.Email)
		}
		d := h.orderOf(t, ref)
		if d.Order.State != string(core.StateInvited) {
			t.Errorf("after the redelivery the order is %s, want still invited", d.Order.State)
		}
		if s := h.shown(t, ref); s.State != core.StateInvited || s.Writes != invitedWrites {
			t.Errorf("after the redelivery %s shows %+v, want invited with %d writes as before", h.d.Provider(), s, invitedWrites)
		}
		if twice := d.toldTwice(); len(twice) > 0 {
			t.Errorf("written back twice: %v%s", twice, d.dump())
		}
	})

	h.step("order_completes", func(t *testing.T) {
		h.take(t, h.invitation(t, c))
		e.WaitIdle()
		d := h.orderOf(t, ref)
		if d.Order.State != string(core.StateCompleted) || d.Result == nil {
			t.Fatalf("after the candidate finished the order is %s with result %+v%s", d.Order.State, d.Result, d.dump())
		}
		// Pushed (or pinged) results show as soon as they are ready, before
		// the ATS's own poll.
		s := h.pushed(t, ref)
		h.checkResult(t, s, *d.Result)
		if h.desc.Results.Pushed() && s.Writes <= invitedWrites {
			t.Errorf("%s shows %d writes after the result, %d before it", h.d.Provider(), s.Writes, invitedWrites)
		}
		if polled := h.shown(t, ref); polled != s {
			t.Errorf("after its own poll %s shows %+v, before it %+v", h.d.Provider(), polled, s)
		}
		// The ATS asks again once the result is in: nothing is written again.
		tn.Redeliver(t, ref)
		e.WaitIdle()
		if again := h.shown(t, ref); again != s {
			t.Errorf("after a redelivery of the completed order %s shows %+v, before %+v", h.d.Provider(), again, s)
		}
		d = h.orderOf(t, ref)
		if twice := d.toldTwice(); len(twice) > 0 {
			t.Errorf("written back twice: %v%s", twice, d.dump())
		}
		if n := len(h.orders(t)); n != 1 || len(h.mailsTo(c.Email)) != 1 {
			t.Errorf("%d orders and %d emails to %s, want 1 and 1", n, len(h.mailsTo(c.Email)), c.Email)
		}
	})

	h.step("refusal", func(t *testing.T) {
		before := h.stored(t)
		r := tn.OrderRefused(t, h.candidate())
		e.WaitIdle()
		if r.Status != 0 && (r.Status < 400 || r.Status > 499) {
			t.Errorf("a refused order was answered %d (%q), want a 4xx", r.Status, r.Shown)
		}
		if after := h.stored(t); after.orders != before.orders || after.candidates != before.candidates || after.mails != before.mails {
			t.Errorf("a refused order stored something: before %+v, after %+v", before, after)
		}
	})

	h.step("bad_inbound_auth", func(t *testing.T) {
		before := h.stored(t)
		status := tn.InboundWithBadAuth(t, h.candidate())
		e.WaitIdle()
		if status != http.StatusUnauthorized && status != http.StatusForbidden {
			t.Errorf("an order with wrong credentials was answered %d, want 401 or 403", status)
		}
		if after := h.stored(t); after != before {
			t.Errorf("an order with wrong credentials stored something: before %+v, after %+v", before, after)
		}
	})
}

// checkResult checks what the ATS shows of a completed order against the
// result Switchboard holds, for each part the connector says its ATS shows.
func (h *harness) checkResult(t *testing.T, s Shown, r apiResult) {
	t.Helper()
	if s.State != core.StateCompleted {
		t.Errorf("%s shows %+v, want completed", h.d.Provider(), s)
		return
	}
	if h.desc.Shows.Score && s.Score != strconv.Itoa(r.Score) {
		t.Errorf("%s shows the score %q, want %d", h.d.Provider(), s.Score, r.Score)
	}
	if h.desc.Shows.Label && s.Label != r.Label {
		t.Errorf("%s shows the label %q, want %q", h.d.Provider(), s.Label, r.Label)
	}
	if !h.desc.Shows.ResultURL {
		return
	}
	if s.ResultURL == "" {
		t.Errorf("%s shows no link to the result: %+v", h.d.Provider(), s)
		return
	}
	resp, body := h.e.Get(s.ResultURL)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, strconv.Itoa(r.Score)) {
		t.Errorf("the result link %s shows (%s) answers %d, or without the score %d", h.d.Provider(), s.ResultURL, resp.StatusCode, r.Score)
	}
}

// vendorGroup: every state an outside vendor (vf) reports through the
// vendor API reaches the ATS.
func vendorGroup(h *harness, vf *apptest.VendorFixture) {
	e, tn := h.e, h.tn
	var c Candidate
	var ref Ref
	h.step("vendor_in_progress", func(t *testing.T) {
		tn.Offer(t, e.VendorVacancy(tn.AccountID(), vf.Vendor.ID, "cog-20"))
		c = h.candidate()
		ref = tn.Order(t, c)
		vf.Settle(e) // the vendor accepts and reports the candidate started
		ref.OrderID = h.vendorOrder(t, vf, c)
		if d := h.orderOf(t, ref); d.Order.State != string(core.StateInProgress) {
			t.Fatalf("after the vendor reported progress the order is %s%s", d.Order.State, d.dump())
		}
		want := core.StateInProgress
		if !h.shows(want) {
			want = core.StateInvited
		}
		if s := h.shown(t, ref); s.State != want {
			t.Errorf("%s shows %+v, want %s", h.d.Provider(), s, want)
		}
		if n := len(h.mailsTo(c.Email)); n != 0 {
			t.Errorf("Switchboard emailed the candidate of an outside vendor %d times; the vendor invites", n)
		}
	})

	h.step("vendor_completed", func(t *testing.T) {
		if err := vf.Program.Complete(h.ctx, ref.OrderID); err != nil {
			t.Fatalf("the vendor's result: %v", err)
		}
		vf.Settle(e)
		d := h.orderOf(t, ref)
		if d.Order.State != string(core.StateCompleted) || d.Result == nil {
			t.Fatalf("after the vendor's result the order is %s%s", d.Order.State, d.dump())
		}
		if want := examplevendor.ScoreFor(c.Email); d.Result.Score != want {
			t.Errorf("Switchboard holds the score %d, the vendor sent %d", d.Result.Score, want)
		}
		h.checkResult(t, h.pushed(t, ref), *d.Result)
		if twice := d.toldTwice(); len(twice) > 0 {
			t.Errorf("written back twice: %v%s", twice, d.dump())
		}
	})

	for _, st := range []core.State{core.StateExpired, core.StateCancelled} {
		h.step("vendor_"+string(st), func(t *testing.T) {
			c := h.candidate()
			r := tn.Order(t, c)
			vf.Settle(e)
			r.OrderID = h.vendorOrder(t, vf, c)
			before := h.shown(t, r)
			if status := h.vendorResult(t, vf, r.OrderID, `{"result":{"value":"`+string(st)+`"}}`); status != http.StatusOK {
				t.Fatalf("the vendor API answered %d to the vendor's %s", status, st)
			}
			e.WaitIdle()
			if d := h.orderOf(t, r); d.Order.State != string(st) {
				t.Fatalf("after the vendor reported %s the order is %s%s", st, d.Order.State, d.dump())
			}
			s := h.shown(t, r)
			want := st
			if !h.shows(st) {
				want = before.State
			}
			if s.State != want || s.Score != "" {
				t.Errorf("%s shows %+v, want %s without a score", h.d.Provider(), s, want)
			}
		})
	}
}

// faultsGroup: the ATS refusing Switchboard's credentials, then down, and
// recovering from each. For an ATS that also polls, a refused push delays
// the result until that poll; it does not lose it.
func faultsGroup(h *harness) {
	e, tn := h.e, h.tn
	var ref Ref
	var jobs []string
	var restore func()
	var refusedWrites int
	h.step("bad_outbound_auth", func(t *testing.T) {
		h.needsPush(t)
		tn.Offer(t, h.builtIn(t))
		c := h.candidate()
		ref = tn.Order(t, c)
		e.WaitIdle()
		ref.OrderID = h.orderOf(t, ref).Order.ID
		restore = sync.OnceFunc(tn.BadOutboundAuth(t))
		h.t.Cleanup(restore) // should a later step not get to it
		h.take(t, h.invitation(t, c))
		e.WaitIdle()
		d := h.orderOf(t, ref)
		if d.Order.State != string(core.StateCompleted) || d.Result == nil {
			t.Fatalf("the order is %s with result %+v, want completed on Switchboard's side%s", d.Order.State, d.Result, d.dump())
		}
		failed := d.entries("job_failed", "")
		if len(failed) == 0 || failed[len(failed)-1].Detail["job_id"] == "" {
			t.Fatalf("the refused write-back is not on the order's timeline:%s", d.dump())
		}
		// Each state the order passed through with the credential refused
		// has its own write-back job, and they fail in either order.
		seen := map[string]bool{}
		for _, f := range failed {
			if id := f.Detail["job_id"]; id != "" && !seen[id] {
				seen[id] = true
				jobs = append(jobs, id)
			}
		}
		if msg := failed[len(failed)-1].Message; strings.TrimSpace(msg) == "" {
			t.Errorf("the timeline says nothing of why the write-back failed:%s", d.dump())
		}
		if len(d.entries("write_back", "told: completed")) != 0 {
			t.Errorf("the timeline says the result was written back:%s", d.dump())
		}
		s := tn.Shown(t, ref)
		if s.State == core.StateCompleted {
			t.Errorf("%s shows the result written with refused credentials: %+v", h.d.Provider(), s)
		}
		refusedWrites = s.Writes
		if h.desc.Results.Pulled() {
			// The ATS's own poll reads the result all the same.
			h.checkResult(t, h.shown(t, ref), *d.Result)
		}
		// The admin, seeing it, runs the checklist. It can find a refused
		// credential only where Switchboard holds one of the ATS's.
		ok, checks := h.checks(t)
		var problems []string
		for _, c := range checks {
			if !c.OK {
				problems = append(problems, c.Problem)
			}
		}
		if h.holdsCredentials() && (ok || len(problems) == 0) {
			t.Errorf("with its credentials refused the validation checklist passes: %+v", checks)
		}
		for _, p := range problems {
			if strings.TrimSpace(p) == "" || strings.ContainsAny(p, "{}") {
				t.Errorf("a failing check says %q: want what is wrong in words, not nothing or a raw answer", p)
			}
		}
	})

	h.step("outbound_auth_restored", func(t *testing.T) {
		h.needsPush(t)
		restore()
		if ok, checks := h.checks(t); !ok {
			t.Errorf("with the credentials restored the checklist fails: %+v", checks)
		}
		// The admin retries every job the timeline names as refused (they
		// gave up on a configuration fault), or they are still due to run.
		for _, job := range jobs {
			if status := e.API(tn.APIKey(), "POST", "/jobs/"+job+"/retry", nil, nil); status != http.StatusAccepted {
				if status != http.StatusConflict || e.RunScheduled("write_back") == 0 {
					t.Fatalf("retrying the refused write-back (job %s): %d, and no write-back waits to run", job, status)
				}
			}
		}
		e.WaitIdle()
		d := h.orderOf(t, ref)
		s := tn.Shown(t, ref)
		h.checkResult(t, s, *d.Result)
		if s.Writes <= refusedWrites {
			t.Errorf("%s shows %d writes after the retried write-back, %d before it", h.d.Provider(), s.Writes, refusedWrites)
		}
		if twice := d.toldTwice(); len(twice) > 0 || len(d.entries("write_back", "told: completed")) != 1 {
			t.Errorf("the result is not written back exactly once (twice: %v):%s", twice, d.dump())
		}
	})

	h.step("ats_down_and_recovered", func(t *testing.T) {
		h.needsPush(t)
		// The order of the steps before, written back with the ATS up, is
		// the twin of this one: the ATS must show this one the same.
		want := tn.Shown(t, ref)
		c := h.candidate()
		r := tn.Order(t, c)
		e.WaitIdle()
		r.OrderID = h.orderOf(t, r).Order.ID
		events, unsubscribe := e.App.Queue.Subscribe(river.EventKindJobFailed, river.EventKindJobSnoozed)
		defer unsubscribe()
		up := sync.OnceFunc(tn.Down(t))
		defer up()
		h.take(t, h.invitation(t, c))
		writeBackFailed(t, events)
		if s := tn.Shown(t, r); s.State == core.StateCompleted {
			t.Errorf("%s shows the result while it is down: %+v", h.d.Provider(), s)
		}
		up()
		// The time the ATS asked for passes: every write-back put off for it
		// runs, including one that failed after the first was put off.
		e.WaitIdle()
		for range 5 {
			if e.RunScheduled("write_back") == 0 {
				break
			}
			e.WaitIdle()
		}
		d := h.orderOf(t, r)
		if d.Order.State != string(core.StateCompleted) || d.Result == nil {
			t.Fatalf("the order is %s%s", d.Order.State, d.dump())
		}
		if gave := d.entries("job_failed", "gave up"); len(gave) > 0 {
			t.Errorf("the write-back gave up while %s was down:%s", h.d.Provider(), d.dump())
		}
		s := tn.Shown(t, r)
		h.checkResult(t, s, *d.Result)
		if s.Writes != want.Writes {
			t.Errorf("%s shows %d writes for the order through the outage, %d for its twin", h.d.Provider(), s.Writes, want.Writes)
		}
		if twice := d.toldTwice(); len(twice) > 0 || len(d.entries("write_back", "told: completed")) != 1 {
			t.Errorf("the result is not written back exactly once (twice: %v):%s", twice, d.dump())
		}
	})
}

// rateLimitGroup: many orders at once, and the ATS sees none of
// Switchboard's calls over its limit.
func rateLimitGroup(h *harness) {
	e, tn := h.e, h.tn
	h.step("rate_limit_held", func(t *testing.T) {
		tn.Offer(t, h.builtIn(t))
		var refs []Ref
		var cs []Candidate
		mailed, ordered := len(e.Mail.Messages()), len(h.orders(t))
		for range rateLimitOrders {
			c := h.candidate()
			cs = append(cs, c)
			refs = append(refs, tn.Order(t, c))
		}
		// The invitations first, with time to spare on a busy machine; then
		// what is left (write-backs paced by the limit).
		ctx, cancel := context.WithTimeout(h.ctx, time.Minute)
		defer cancel()
		if _, err := e.Mail.WaitForMessages(ctx, mailed+rateLimitOrders); err != nil {
			t.Fatalf("waiting for %d invitations: %v", rateLimitOrders, err)
		}
		e.WaitIdle()
		if n := tn.OverLimit(); n != 0 {
			t.Errorf("%s saw %d calls over its limit (%s)", h.d.Provider(), n, tn.Limit())
		}
		for i, r := range refs {
			if s := h.shown(t, r); s.State != core.StateInvited {
				t.Errorf("order %d of %d: %s shows %+v, want invited", i+1, len(refs), h.d.Provider(), s)
			}
			if n := len(h.mailsTo(cs[i].Email)); n != 1 {
				t.Errorf("%d emails to %s, want 1", n, cs[i].Email)
			}
		}
		if n := len(h.orders(t)) - ordered; n != rateLimitOrders {
			t.Errorf("%d new orders, want %d", n, rateLimitOrders)
		}
	})
}
