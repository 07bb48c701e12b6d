package conformance

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"switchboard/internal/app/apptest"
	"switchboard/internal/ats"
	"switchboard/internal/candidatebot"
	"switchboard/internal/core"
	"switchboard/internal/mail/mailtest"
)

// harness is one group of checks on one Switchboard and one tenant: the
// steps of a group run in order on what the earlier ones left.
type harness struct {
	t    *testing.T
	e    *apptest.Env
	d    Driver
	tn   Tenant
	desc provider
	ctx  context.Context
	n    int // candidates made so far
	// broken is set once a step of the current part failed.
	broken bool
}

// provider is the connector's description as the admin API lists it.
type provider struct {
	Provider    string      `json:"provider"`
	Shows       ats.Shows   `json:"shows"`
	Results     ats.Results `json:"results"`
	Credentials []ats.Field `json:"credentials"`
}

// setup starts a Switchboard on dialect and has the driver set up its
// tenant there.
func setup(t *testing.T, d Driver, dialect string) *harness {
	t.Helper()
	e := apptest.New(t, apptest.Options{Dialect: dialect})
	h := &harness{t: t, e: e, d: d, ctx: context.Background()}
	h.tn = d.Setup(t, e)
	var ps struct {
		Providers []provider `json:"providers"`
	}
	e.MustAPI(http.StatusOK, h.tn.APIKey(), "GET", "/providers", nil, &ps)
	i := slices.IndexFunc(ps.Providers, func(p provider) bool { return p.Provider == d.Provider() })
	if i < 0 {
		t.Fatalf("the admin API lists no provider %q (the driver's Provider)", d.Provider())
	}
	h.desc = ps.Providers[i]
	if _, ok := h.tn.(Poller); h.desc.Results.Pulled() && !ok {
		t.Fatalf("the %s connector's results are %s, so the ATS polls for them: its driver's Tenant must implement conformance.Poller", d.Provider(), h.desc.Results)
	}
	return h
}

// shown is what the ATS shows of r once it is up to date: after its own
// poll of r for an ATS that pulls results, else what it shows now.
func (h *harness) shown(t testing.TB, r Ref) Shown {
	t.Helper()
	if p, ok := h.tn.(Poller); ok && h.desc.Results.Pulled() {
		p.Poll(t, r)
	}
	return h.tn.Shown(t, r)
}

// pushed is what the ATS shows of r as Switchboard's write-backs left it:
// before its own poll for an ATS that is pushed results (a ping included),
// so that a result shows only if the push brought it; after that poll for
// an ATS that only pulls.
func (h *harness) pushed(t testing.TB, r Ref) Shown {
	t.Helper()
	if h.desc.Results.Pushed() {
		return h.tn.Shown(t, r)
	}
	return h.shown(t, r)
}

// needsPush skips a step about Switchboard's calls to the ATS when it makes
// none: the ATS only pulls results.
func (h *harness) needsPush(t testing.TB) {
	t.Helper()
	if !h.desc.Results.Pushed() {
		t.Skipf("%s pulls every result: Switchboard makes no call that could be refused or meet it down", h.d.Provider())
	}
}

// holdsCredentials reports whether Switchboard holds a credential of the
// ATS's to call it with, which the validation checklist can try; without
// one it calls with the key it issued (Greenhouse's ping), and only a
// refused call shows that the ATS no longer takes it.
func (h *harness) holdsCredentials() bool { return len(h.desc.Credentials) > 0 }

// step runs one check of the group as a subtest. A step builds on those
// before it in its part, so once one failed the rest of the part are
// skipped rather than failing for its reason. The environment reports to
// the step while it runs, so fixtures that clean up after themselves
// (servers) must be set up in the group, not in a step, or they end with it.
func (h *harness) step(name string, fn func(t *testing.T)) {
	h.t.Helper()
	ok := h.t.Run(name, func(t *testing.T) {
		if h.broken {
			t.Skip("an earlier step of this part failed, and this one builds on it")
		}
		prev := h.e.T
		h.e.T = t
		defer func() { h.e.T = prev }()
		fn(t)
	})
	if !ok {
		h.broken = true
	}
}

// part starts steps that do not build on the ones before.
func (h *harness) part() { h.broken = false }

// candidate is a new candidate, unique in the environment.
func (h *harness) candidate() Candidate {
	names := [][2]string{{"Ada", "Lovelace"}, {"Grace", "Hopper"}, {"Alan", "Turing"}, {"Edsger", "Dijkstra"},
		{"Barbara", "Liskov"}, {"Donald", "Knuth"}, {"Frances", "Allen"}, {"Ken", "Thompson"}}
	nm := names[h.n%len(names)]
	h.n++
	return Candidate{FirstName: nm[0], LastName: nm[1],
		Email: fmt.Sprintf("%s.%s.%d@example.com", strings.ToLower(nm[0]), strings.ToLower(nm[1]), h.n)}
}

// shows reports whether the ATS has a word for st.
func (h *harness) shows(st core.State) bool {
	if st == core.StateInProgress && !h.desc.Shows.InProgress {
		return false
	}
	if u, ok := h.d.(Unshown); ok && slices.Contains(u.Unshown(), st) {
		return false
	}
	return true
}

// The admin API's JSON, as a client reads it.

type apiOrder struct {
	ID             string `json:"id"`
	State          string `json:"state"`
	ExternalID     string `json:"external_id"`
	CandidateEmail string `json:"candidate_email"`
	VacancyName    string `json:"vacancy_name"`
}

type apiTimeline struct {
	Kind    string            `json:"kind"`
	Message string            `json:"message"`
	Detail  map[string]string `json:"detail"`
}

type apiResult struct {
	Score int    `json:"score"`
	Max   int    `json:"max"`
	Label string `json:"label"`
}

type apiOrderDetail struct {
	Order    apiOrder      `json:"order"`
	Result   *apiResult    `json:"result"`
	Timeline []apiTimeline `json:"timeline"`
}

// entries are the timeline entries of kind whose message contains substr.
func (d apiOrderDetail) entries(kind, substr string) []apiTimeline {
	var out []apiTimeline
	for _, e := range d.Timeline {
		if e.Kind == kind && strings.Contains(e.Message, substr) {
			out = append(out, e)
		}
	}
	return out
}

func (d apiOrderDetail) dump() string {
	var b strings.Builder
	for _, e := range d.Timeline {
		fmt.Fprintf(&b, "\n  %s: %s %v", e.Kind, e.Message, e.Detail)
	}
	return b.String()
}

// toldTwice lists the states written back to the ATS more than once: a
// write that landed is never repeated, whatever was retried or redelivered.
func (d apiOrderDetail) toldTwice() []string {
	told := map[string]int{}
	for _, e := range d.entries("write_back", " told: ") {
		told[e.Detail["state"]]++
	}
	var twice []string
	for st, n := range told {
		if n > 1 {
			twice = append(twice, fmt.Sprintf("%s ×%d", st, n))
		}
	}
	slices.Sort(twice)
	return twice
}

// orders lists the account's orders.
func (h *harness) orders(t testing.TB) []apiOrder {
	t.Helper()
	var page struct {
		Orders []apiOrder `json:"orders"`
		Total  int        `json:"total"`
	}
	h.e.MustAPI(http.StatusOK, h.tn.APIKey(), "GET", "/orders?limit=100", nil, &page)
	if page.Total != len(page.Orders) {
		t.Fatalf("the admin API lists %d of %d orders", len(page.Orders), page.Total)
	}
	return page.Orders
}

// order fetches one order with its timeline.
func (h *harness) order(t testing.TB, id string) apiOrderDetail {
	t.Helper()
	var d apiOrderDetail
	h.e.MustAPI(http.StatusOK, h.tn.APIKey(), "GET", "/orders/"+id, nil, &d)
	return d
}

// orderOf is Switchboard's order for a driver's ref: its OrderID, or the one
// order whose external id is the ATS's handle.
func (h *harness) orderOf(t testing.TB, r Ref) apiOrderDetail {
	t.Helper()
	if r.OrderID != "" {
		return h.order(t, r.OrderID)
	}
	var found []apiOrder
	for _, o := range h.orders(t) {
		if o.ExternalID == r.ATS {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d orders have the external id %q of the ATS's order (the driver sets no Ref.OrderID): %+v", len(found), r.ATS, found)
	}
	return h.order(t, found[0].ID)
}

// rows counts a table's rows, to show that nothing was stored where the API
// shows nothing either (stored webhooks have no API).
func (h *harness) rows(t testing.TB, table string) int {
	t.Helper()
	var n int
	if err := h.e.App.Store.Writer().QueryRowContext(h.ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// stored is what an order request leaves behind, to compare before and
// after one that must leave nothing.
type stored struct{ orders, candidates, inbound, mails int }

func (h *harness) stored(t testing.TB) stored {
	t.Helper()
	return stored{orders: len(h.orders(t)), candidates: h.rows(t, "candidates"), inbound: h.rows(t, "inbound_events"),
		mails: len(h.e.Mail.Messages())}
}

// mailsTo are the emails sent to addr.
func (h *harness) mailsTo(addr string) []mailtest.Received {
	var out []mailtest.Received
	for _, m := range h.e.Mail.Messages() {
		if slices.Contains(m.To, addr) {
			out = append(out, m)
		}
	}
	return out
}

// invitation is the link in the one email c got.
func (h *harness) invitation(t testing.TB, c Candidate) string {
	t.Helper()
	ms := h.mailsTo(c.Email)
	if len(ms) != 1 {
		t.Fatalf("%d emails to %s, want the one invitation", len(ms), c.Email)
	}
	i := strings.Index(ms[0].Text, h.e.URL+"/a/")
	if i < 0 {
		t.Fatalf("no invitation link in the email to %s:\n%s", c.Email, ms[0].Text)
	}
	return strings.Fields(ms[0].Text[i:])[0]
}

// take is the candidate taking the assessment behind link.
func (h *harness) take(t testing.TB, link string) {
	t.Helper()
	if _, err := candidatebot.Take(h.ctx, http.DefaultClient, link, candidatebot.FirstOption); err != nil {
		t.Fatalf("the candidate could not take the assessment: %v", err)
	}
}

// vacancies are the account's vacancies, archived ones included.
func (h *harness) vacancies(t testing.TB) []core.Vacancy {
	t.Helper()
	vs, err := h.e.App.Store.ListVacancies(h.ctx, h.tn.AccountID())
	if err != nil {
		t.Fatalf("list vacancies: %v", err)
	}
	return vs
}

// builtIn is a vacancy of the built-in engine that an ATS can order ad hoc
// (not inline), and one the ATS lists when it lists packages.
func (h *harness) builtIn(t testing.TB) core.Vacancy {
	t.Helper()
	listed, lists := h.tn.Packages(t)
	for _, v := range h.vacancies(t) {
		if !v.Builtin() || v.Archived || v.IsInline() || (lists && !slices.Contains(listed, v.ID)) {
			continue
		}
		return v
	}
	t.Fatalf("the driver's set-up made no built-in vacancy the ATS can order (the ATS lists %v)", listed)
	return core.Vacancy{}
}

// checks runs the integration's validation checklist.
func (h *harness) checks(t testing.TB) (bool, []ats.Check) {
	t.Helper()
	var out struct {
		OK     bool        `json:"ok"`
		Checks []ats.Check `json:"checks"`
	}
	h.e.MustAPI(http.StatusOK, h.tn.APIKey(), "POST", "/integrations/"+h.tn.IntegrationID()+"/validate", nil, &out)
	if len(out.Checks) == 0 {
		t.Fatalf("the validation checklist has no checks")
	}
	return out.OK, out.Checks
}

// vendorResult is an outside vendor's update of one order through the
// vendor API, as the vendor sends it; it returns the answer's status.
func (h *harness) vendorResult(t testing.TB, vf *apptest.VendorFixture, orderID, body string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(h.ctx, http.MethodPatch,
		h.e.URL+"/api/vendor/unified/ats/assessments/orders/"+orderID+"/result", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(vf.Key+":")))
	req.Header.Set("x-account-id", h.tn.AccountID())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("vendor API: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// vendorOrder is the order the vendor received for c.
func (h *harness) vendorOrder(t testing.TB, vf *apptest.VendorFixture, c Candidate) string {
	t.Helper()
	var ids []string
	for _, o := range vf.Program.Received() {
		if o.Email() == c.Email {
			ids = append(ids, o.ID)
		}
	}
	if len(ids) != 1 {
		t.Fatalf("the vendor received %d orders for %s, want 1", len(ids), c.Email)
	}
	return ids[0]
}

// writeBackFailed waits until a write-back job fails or is put off: the
// ATS refused it (and nothing was waited for in a worker).
func writeBackFailed(t testing.TB, events <-chan *river.Event) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case ev := <-events:
			if ev.Job != nil && ev.Job.Kind == "write_back" {
				return
			}
		case <-deadline:
			t.Fatal("no write-back failed within 20s while the ATS was down")
		}
	}
}
