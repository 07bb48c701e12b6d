package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"switchboard/internal/app/apptest"
	sr "switchboard/internal/ats/smartrecruiters"
	"switchboard/internal/atssim/srsim"
	"switchboard/internal/core"
)

// srReview is a SmartRecruiters company for applicant review: two open
// jobs of two recruiters, one closed, and three applicants of the first
// with profiles a qualification tells apart.
type srReview struct {
	sim                 *srsim.Server
	url, key            string
	company             srsim.Company
	job, second         sr.Job
	go6, rust3, barista string
}

func newSRReview(t *testing.T, e *apptest.Env) *srReview {
	t.Helper()
	r := e.SetupSRReview(apptest.SRReviewOptions{})
	return &srReview{sim: r.Sim, url: r.URL, key: r.Key, company: r.Company, job: r.Job, second: r.Second,
		go6: r.GoDev, rust3: r.RustDev, barista: r.Barista}
}

// location is the tab's URL path.
func (u *ui) location() string {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, 20*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		u.t.Fatalf("read the URL: %v", err)
	}
	p, err := url.Parse(loc)
	if err != nil {
		u.t.Fatal(err)
	}
	return p.Path
}

// rowIDs are the data-applicant ids of the rows under sel, in order.
func (u *ui) rowIDs(sel string) []string {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, 20*time.Second)
	defer cancel()
	ids, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(`+jsString(sel)+`)).map(r => r.dataset.applicant)`))
	if err != nil {
		u.t.Fatalf("rows of %s: %v", sel, err)
	}
	return ids
}

func jobPathOf(sourcePath, jobID string) string { return sourcePath + "/jobs/" + url.PathEscape(jobID) }

func jsString(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }

// assessed stores a completed Switchboard assessment of the SmartRecruiters
// candidate externalID, as an order of the account's SmartRecruiters
// integration would leave it, and returns the order's id.
func assessed(t *testing.T, e *apptest.Env, admin core.User, externalID string, percent float64, label string) string {
	t.Helper()
	ctx := context.Background()
	st := e.App.Store
	ins, err := e.App.Integrations.Integrations(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	var integrationID string
	for _, in := range ins {
		if in.Provider == "smartrecruiters" {
			integrationID = in.ID
		}
	}
	if integrationID == "" {
		in, err := e.App.Integrations.CreateIntegration(ctx, admin, "smartrecruiters", "")
		if err != nil {
			t.Fatal(err)
		}
		integrationID = in.ID
	}
	vs, err := st.ListVacancies(ctx, admin.AccountID)
	if err != nil || len(vs) == 0 {
		t.Fatalf("vacancies %v %v", vs, err)
	}
	now := e.ClientNow().UTC().Truncate(time.Microsecond)
	c, err := st.UpsertCandidate(ctx, core.Candidate{ID: core.NewID("cand"), AccountID: admin.AccountID, IntegrationID: integrationID,
		ExternalID: externalID, Name: "Assessed " + externalID, CreatedAt: now, UpdatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	o := core.Order{ID: core.NewID("ord"), AccountID: admin.AccountID, IntegrationID: integrationID, VacancyID: vs[0].ID, CandidateID: c.ID,
		State: core.StateCompleted, Mode: core.ModeAdHoc, IdempotencyKey: "review-" + externalID, StartedAt: now, CompletedAt: now, CreatedAt: now, UpdatedAt: now, Version: 1}
	if err := st.CreateOrder(ctx, o); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveResult(ctx, core.Result{OrderID: o.ID, Score: &core.Score{Value: percent, Min: 0, Max: 100}, Label: label, SubmittedAt: now}); err != nil {
		t.Fatal(err)
	}
	return o.ID
}

// TestBrowserReview is applicant review in a real browser: a super admin
// connects SmartRecruiters with an API key (a wrong one first, refused with
// SmartRecruiters' words and the form kept), sees the first sync finish and
// the requisitions, searches and filters them, sets a job's qualifications,
// reads why the top applicant ranks and why another is filtered out, moves
// one applicant (landing in SmartRecruiters) and sees a refused move on its
// row, and removes the connection.
func TestBrowserReview(t *testing.T) {
	t.Parallel()
	a := newPartnerAdmin(t)
	w := newSRReview(t, a.e)
	// Switchboard assessed the Go developer: the ranking shows it with the
	// order (its points only add to the top applicant's lead), and the
	// connect form offers the integration's credentials.
	goOrder := assessed(t, a.e, mustUser(t, a.e, "admin@acme.example"), w.go6, 80, "great_fit")

	a.open("/orders")
	a.submit("applicant review menu", "nav a[href='/review']")
	a.mustSee("main h1", "Applicant review")
	a.mustSee("#connections", "No ATS is connected")
	a.submit("choose SmartRecruiters", "a[data-provider=smartrecruiters]")
	a.mustSee("#connect-credentials-choice", "Use the credentials of integration")
	if got := a.value("#review-setting-base_url"); got != sr.DefaultBaseURL {
		t.Errorf("base URL prefilled with %q, want SmartRecruiters' own", got)
	}

	// A key SmartRecruiters refuses: its answer shows, the form is kept,
	// nothing is stored.
	a.fill("#review-setting-base_url", w.url)
	a.fill("#connect-name", "Acme careers")
	a.fill("#review-cred-api_key", "wrong")
	a.submit("connect with a wrong key", "#connect-submit")
	a.mustSee(".flash-error", "SmartRecruiters refused the connection")
	a.mustSee("#connect-error", "SmartRecruiters refused the connection")
	if got := a.value("#review-setting-base_url"); got != w.url {
		t.Errorf("after the refusal the base URL is %q, want the one typed", got)
	}
	if got := a.value("#connect-name"); got != "Acme careers" {
		t.Errorf("after the refusal the name is %q, want the one typed", got)
	}
	if got := a.value("#review-cred-api_key"); got != "" {
		t.Error("the refused API key is shown again")
	}
	a.mustSee("#connections", "No ATS is connected")
	a.shot("review-01-connect-refused")

	a.fill("#review-cred-api_key", w.key)
	a.submit("connect", "#connect-submit")
	a.mustSee(".flash-ok", "Connected Acme careers")
	srcPath := a.location()
	if !strings.HasPrefix(srcPath, "/review/rsrc") {
		t.Fatalf("after connecting at %q, want the connection's page", srcPath)
	}
	a.shot("review-02-syncing")
	a.e.WaitIdle()
	a.open(srcPath)
	a.mustSee("#source-status", "Active")
	a.mustSee("#sync .sync-state", "Done")
	a.mustSee("#sync", "2 jobs, 15 applicants")
	if a.eval(`document.querySelector("meta[http-equiv=refresh]") !== null`) {
		t.Error("the page still refreshes itself after the sync finished")
	}
	if subs := w.sim.Subscriptions(w.company.ID); len(subs) != 2 {
		t.Errorf("SmartRecruiters has %d subscriptions, want the two change webhooks", len(subs))
	}
	jobs := a.mustSee("#jobs tbody", "Backend Engineer")
	if !strings.Contains(jobs, "Barista") || strings.Contains(jobs, "Office Manager") {
		t.Errorf("requisitions:\n%s\nwant the two open jobs only", jobs)
	}
	a.mustSee("#jobs tr[data-job='"+string(w.job.ID)+"']", "12")
	a.shot("review-03-requisitions")
	a.open("/review")
	a.mustSee("#connections tbody", "Acme careers")
	a.mustSee("#connections .sync-state", "Done")
	a.shot("review-04-connections")
	a.open(srcPath)

	// Search by id, then filter by recruiter.
	a.fill("#jobs-q", "ENG-7")
	a.submit("search ENG-7", "#jobs-search")
	if jobs := a.mustSee("#jobs tbody", "Backend Engineer"); strings.Contains(jobs, "Barista") {
		t.Errorf("searching ENG-7 lists %s", jobs)
	}
	a.open(srcPath)
	// The recruiter's id is SmartRecruiters' own: chosen by name, as a person would.
	a.do("choose Sam", chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector("#jobs-recruiter");
		s.value = Array.from(s.options).find(o => o.text === "Sam Sourcer").value })()`))
	a.submit("filter by recruiter", "#jobs-search")
	if jobs := a.mustSee("#jobs tbody", "Barista"); strings.Contains(jobs, "Backend Engineer") {
		t.Errorf("Sam's jobs list %s", jobs)
	}
	a.mustSee("#jobs-recruiter", "Riley Recruiter")
	a.open(srcPath)
	a.submit("open the job", "#jobs tr[data-job='"+string(w.job.ID)+"'] a")
	a.mustSee("main h1", "Backend Engineer")

	// Qualifications: a refused line changes nothing and keeps the form.
	a.fill("#required", "go, ")
	a.submit("apply a broken line", "#apply-criteria")
	a.mustSee(".flash-error", "Criteria not applied")
	a.mustSee("#criteria-error", "required line 1")
	if got := a.value("#required"); got != "go, " {
		t.Errorf("the refused line came back as %q", got)
	}
	a.fill("#required", "Go | Rust")
	a.fill("#preferred", "kubernetes")
	// Dragging the slider shows its value before anything is applied.
	if !a.eval(`(() => { const r = document.querySelector("#min_years"); r.value = "2";
		r.dispatchEvent(new Event("input", {bubbles: true}));
		return document.querySelector("#min_years-value").textContent === "2"; })()`) {
		t.Errorf("the years slider's value is not shown while it moves: %q", a.text("#min_years-value"))
	}
	a.do("choose a degree", chromedp.SetValue(chromedp.CSS("#degree"), "bachelor"))
	a.submit("apply criteria", "#apply-criteria")
	a.mustSee(".flash-ok", "Criteria applied")
	a.mustSee("#min_years-value", "2")
	if got := a.value("#degree"); got != "bachelor" {
		t.Errorf("degree after applying: %q", got)
	}
	if !a.eval(`document.querySelectorAll("#statuses input[type=checkbox]").length > 0`) {
		t.Error("no status filter offered")
	}

	ranked := a.rowIDs("#ranked tbody tr[data-applicant]")
	pos := func(id string) int { return slices.Index(ranked, id) }
	if pos(w.go6) < 0 || pos(w.rust3) < 0 || pos(w.go6) > pos(w.rust3) {
		t.Fatalf("ranked %v: want the Go developer (%s) above the Rust engineer (%s)", ranked, w.go6, w.rust3)
	}
	if pos(w.barista) >= 0 {
		t.Errorf("the barista is ranked")
	}
	goRow := "#ranked tr[data-applicant='" + w.go6 + "']"
	a.do("open why", chromedp.Click(chromedp.CSS(goRow+" details.why summary")))
	why := a.text(goRow + " details.why ul")
	if !strings.Contains(strings.ToLower(why), "kubernetes in experience.description: go services on kubernetes") || !a.eval(`document.querySelector("`+goRow+` details.why code.snippet") !== null`) {
		t.Errorf("why of the Go developer:\n%s\nwant the preferred Kubernetes with its snippet", why)
	}
	if y, err := strconv.ParseFloat(a.text(goRow+" td:nth-child(6)"), 64); err != nil || y < 5.9 || y > 6.2 {
		t.Errorf("the Go developer's years %v (%v), want about 6", y, err)
	}
	a.mustSee(goRow+" .assessment-score", "80")
	if !a.eval(`document.querySelector("` + goRow + ` a[href='/orders/` + goOrder + `']") !== null`) {
		t.Errorf("the Go developer's row does not link to the order %s that assessed them", goOrder)
	}
	if !strings.Contains(strings.ToLower(why), "assessment") {
		t.Errorf("why of the Go developer lacks the assessment's points:\n%s", why)
	}
	a.shot("review-05-ranked-why")

	// Filtered out, on demand, with the reason.
	if a.eval(`document.querySelector("#filtered").open`) {
		t.Error("the filtered-out list is open before it is asked for")
	}
	a.do("open filtered", chromedp.Click(chromedp.CSS("#filtered summary")))
	if reason := a.text("#filtered tr[data-applicant='" + w.barista + "'] .reasons"); !strings.Contains(reason, "Go") {
		t.Errorf("the barista's reason %q, want the missing Go or Rust", reason)
	}
	a.shot("review-06-filtered")

	// Move: one lands in SmartRecruiters, a refusal shows on its row.
	if err := w.sim.RequireSubStatus(w.company.ID, sr.CandidateInterview); err != nil {
		t.Fatal(err)
	}
	a.do("tick the Go developer", chromedp.Click(chromedp.CSS(goRow+" input[name=applicant]")))
	a.do("choose In review", chromedp.SetValue(chromedp.CSS("#move-target"), "IN_REVIEW"))
	a.submit("move", "#move-submit")
	a.mustSee(".flash-ok", "Moved 1 of 1")
	a.mustSee(goRow+" .move-result", "Moved to In review")
	if st, ok := w.sim.ApplicantState(w.company.ID, w.go6, string(w.job.ID)); !ok || st.Status != sr.CandidateInReview {
		t.Fatalf("SmartRecruiters has %+v, want IN_REVIEW", st)
	}
	rustRow := "#ranked tr[data-applicant='" + w.rust3 + "']"
	a.do("tick the Rust engineer", chromedp.Click(chromedp.CSS(rustRow+" input[name=applicant]")))
	a.do("choose Interview", chromedp.SetValue(chromedp.CSS("#move-target"), "INTERVIEW"))
	a.submit("move refused", "#move-submit")
	a.mustSee(".flash-error", "1 refused")
	a.mustSee(rustRow+" .move-result.error", "SmartRecruiters refused")
	a.mustSee(goRow+" .move-result", "Moved to In review")
	a.shot("review-07-moved")

	// A full re-sync on demand keeps the qualifications and the moves.
	a.open(srcPath)
	a.submit("full re-sync", "#full-resync")
	a.mustSee(".flash-ok", "Full re-sync")
	a.e.WaitIdle()
	a.open(srcPath)
	a.mustSee("#sync .sync-state", "Done")
	a.open(jobPathOf(srcPath, string(w.job.ID)))
	if got := a.value("#required"); got != "Go | Rust" {
		t.Errorf("after a full re-sync the required line is %q", got)
	}
	a.mustSee(goRow+" .move-result", "Moved to In review")

	// A test prospect lands in SmartRecruiters' talent pool, and the page
	// says where.
	a.open(srcPath)
	a.submit("send a test prospect", "#test-prospect")
	a.mustSee(".flash-ok", "landed in SmartRecruiters' talent pool")
	if pool := w.sim.TalentPool(w.company.ID); len(pool) != 1 || !strings.Contains(a.text(".flash-ok"), string(pool[0].ID)) {
		t.Errorf("the talent pool holds %+v; the page says %q", pool, a.text(".flash-ok"))
	}

	// Remove: confirmed, the subscriptions and the data go.
	a.open(srcPath)
	a.do("open remove", chromedp.Click(chromedp.CSS("#remove summary")))
	a.do("confirm", chromedp.Click(chromedp.CSS("#remove-confirm")))
	a.shot("review-08-remove")
	a.submit("remove", "#remove-submit")
	a.mustSee(".flash-ok", "Removed Acme careers")
	a.mustSee("#connections", "No ATS is connected")
	if subs := w.sim.Subscriptions(w.company.ID); len(subs) != 0 {
		t.Errorf("subscriptions left in SmartRecruiters: %+v", subs)
	}
	a.open(srcPath)
	a.mustSee("main h1", "Not found")
}

// TestReviewConnectNeedsConfigure: an admin (who may review and move, not
// configure) sees no "Connect an ATS" and is refused 403 on the connect
// post; a limited team member may not open applicant review at all.
func TestReviewConnectNeedsConfigure(t *testing.T) {
	t.Parallel()
	e, _ := signedInAdmin(t)
	addUser(t, e, "admin@acme.example", "ops@acme.example", core.RoleAdmin)
	addUser(t, e, "admin@acme.example", "temp@acme.example", core.RoleLimitedTeamMember)

	b := newBrowser(t, e.URL)
	b.signIn("ops@acme.example", testPassword)
	resp, body := b.get("/review?provider=smartrecruiters")
	if resp.StatusCode != http.StatusOK || strings.Contains(body, "Connect an ATS") || strings.Contains(body, `action="/review/connect"`) {
		t.Errorf("an admin's review page: %d, offers connecting: %v", resp.StatusCode, strings.Contains(body, "Connect an ATS"))
	}
	resp, body = b.post("/review/connect", url.Values{"provider": {"smartrecruiters"}, "cred.api_key": {"k"}})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Not available to your role") {
		t.Errorf("an admin's connect: %d", resp.StatusCode)
	}
	if rs, err := e.App.Store.ListReviewSources(context.Background(), mustUser(t, e, "ops@acme.example").AccountID); err != nil || len(rs) != 0 {
		t.Errorf("sources after a refused connect: %v %v", rs, err)
	}

	lim := newBrowser(t, e.URL)
	lim.signIn("temp@acme.example", testPassword)
	if resp, _ := lim.get("/review"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a limited team member's review page: %d, want 403", resp.StatusCode)
	}
}

// TestReviewSyncRunningRefreshes: while a sync runs, the connection's page
// shows its progress bar and refreshes itself; the list shows the same
// progress without refreshing (an admin may be typing in Connect).
func TestReviewSyncRunningRefreshes(t *testing.T) {
	t.Parallel()
	// No workers: the first sync starts and stays running.
	e := apptest.New(t, apptest.Options{NoWorkers: true})
	key := e.CreateAccount("Acme Corp", "admin@acme.example")
	setPassword(t, e, "admin@acme.example")
	w := newSRReview(t, e)
	var rs struct {
		ID string `json:"id"`
	}
	e.MustAPI(http.StatusCreated, key, "POST", "/review/sources", map[string]any{
		"provider": "smartrecruiters", "credentials": map[string]string{"api_key": w.key}, "settings": map[string]string{"base_url": w.url},
	}, &rs)
	b := newBrowser(t, e.URL)
	b.signIn("admin@acme.example", testPassword)
	for _, tc := range []struct {
		path        string
		wantRefresh bool
	}{{"/review/" + rs.ID, true}, {"/review", false}} {
		resp, body := b.get(tc.path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", tc.path, resp.StatusCode)
		}
		if got := strings.Contains(body, `http-equiv="refresh"`); got != tc.wantRefresh {
			t.Errorf("%s refreshes itself: %v, want %v", tc.path, got, tc.wantRefresh)
		}
		if !strings.Contains(body, "<progress") || !strings.Contains(body, "Full sync") {
			t.Errorf("%s shows no progress bar of the running first sync", tc.path)
		}
	}
}
