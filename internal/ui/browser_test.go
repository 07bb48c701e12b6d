package ui_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"switchboard/internal/app/apptest"
	"switchboard/internal/ats/lever"
)

const chromiumPath = "/usr/bin/chromium"

// chrome starts a headless Chromium for the test, or skips the test when
// there is none, except in CI, where a missing browser is a failure.
func chrome(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("browser tests need Chromium at %s in CI (apt-get install chromium): %v", chromiumPath, err)
		}
		t.Skipf("no Chromium at %s (apt-get install chromium); skipping the browser test", chromiumPath)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancel := chromedp.NewContext(actx)
	// The first Do starts the browser and binds it to ctx, which has no
	// timeout; each step then gets its own.
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		cancelAlloc()
		t.Fatalf("start Chromium: %v", err)
	}
	t.Cleanup(func() { cancel(); cancelAlloc() })
	return ctx
}

// ui drives one browser tab through the admin UI.
type ui struct {
	t    *testing.T
	ctx  context.Context
	base string
	dir  string // screenshots
}

func (u *ui) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		u.shot("failed-" + regexp.MustCompile(`\W+`).ReplaceAllString(what, "-"))
		u.t.Fatalf("%s: %v", what, err)
	}
}

func (u *ui) text(sel string) string {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, 20*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		u.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func (u *ui) value(sel string) string {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, 20*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		u.t.Fatalf("value of %s: %v", sel, err)
	}
	return s
}

func (u *ui) eval(js string) bool {
	ctx, cancel := context.WithTimeout(u.ctx, 5*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
	return err == nil && v
}

// submit clicks sel, which submits a form or follows a link, and waits for
// the next page to have loaded: a marker set on the old page must be gone.
func (u *ui) submit(what, sel string) {
	u.t.Helper()
	u.do(what+": mark page", chromedp.Evaluate[chromedp.Void]("window.__sbOld = true"))
	u.do(what, chromedp.Click(chromedp.CSS(sel)))
	deadline := time.Now().Add(20 * time.Second)
	for !u.eval("!window.__sbOld && document.readyState === 'complete'") {
		if time.Now().After(deadline) {
			u.shot("failed-" + regexp.MustCompile(`\W+`).ReplaceAllString(what, "-"))
			u.t.Fatalf("%s: no new page after clicking %s", what, sel)
		}
		time.Sleep(30 * time.Millisecond)
	}
}

func (u *ui) open(path string) {
	u.t.Helper()
	url := path
	if strings.HasPrefix(path, "/") {
		url = u.base + path
	}
	u.do("open "+path, chromedp.Navigate(url))
}

func (u *ui) fill(sel, value string) {
	u.t.Helper()
	if value == "" {
		u.do("clear "+sel, chromedp.Clear(chromedp.CSS(sel)))
		return
	}
	u.do("fill "+sel, chromedp.SetValue(chromedp.CSS(sel), value))
}

// shot saves a full-page PNG screenshot under artifacts/screenshots.
func (u *ui) shot(name string) {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		u.t.Logf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(u.dir, name+".png"), png, 0o644); err != nil {
		u.t.Logf("screenshot %s: %v", name, err)
	}
}

func (u *ui) mustSee(sel, want string) string {
	u.t.Helper()
	got := u.text(sel)
	if !strings.Contains(got, want) {
		u.shot("failed-see")
		u.t.Fatalf("%s says %q, want it to contain %q", sel, got, want)
	}
	return got
}

// screenshotDir is artifacts/screenshots at the module root (git-ignored).
func screenshotDir(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = parent
	}
	out := filepath.Join(dir, "artifacts", "screenshots")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBrowserLeverJourney is the whole click-path in a real browser: sign in,
// add and configure a Lever integration, enable it (a validation error
// first), create a vacancy, have Lever order an assessment, take it as the
// candidate, and see the result and write-backs on the order page.
func TestBrowserLeverJourney(t *testing.T) {
	t.Parallel()
	ctx := chrome(t)
	e := apptest.New(t, apptest.Options{})
	e.CreateAccount("Acme Corp", "admin@acme.example")
	setPassword(t, e, "admin@acme.example")
	u := &ui{t: t, ctx: ctx, base: e.URL, dir: screenshotDir(t)}

	// Lever's side: an API key, a recruiter and a posting tagged for the vacancy.
	e.Lever.AddAPIKey(apptest.LeverAPIKey)
	owner := e.Lever.AddUser("Riley Recruiter", "riley@acme.example")
	posting := e.Lever.AddPosting(apptest.VacancyName, []string{apptest.VacancyTag}, owner.ID)
	var stageID string
	for _, s := range e.Lever.Stages() {
		if s.Text == apptest.TriggerStageName {
			stageID = s.ID
		}
	}

	// Sign in: a wrong password first.
	u.open("/")
	u.fill("#email", "admin@acme.example")
	u.fill("#password", "not the password")
	u.submit("sign in wrongly", "form[action='/signin'] button[type=submit]")
	u.mustSee("#signin-error", "not right")
	u.shot("01-signin-error")
	u.fill("#email", "admin@acme.example")
	u.fill("#password", testPassword)
	u.submit("sign in", "form[action='/signin'] button[type=submit]")
	u.mustSee("main h1", "Orders")
	u.shot("02-orders-empty")

	// Integrations → Add new integration → Lever → progress → overview.
	u.submit("integrations menu", "nav a[href='/integrations']")
	u.submit("add new integration", "a[href='/integrations/new']")
	u.do("choose Lever", chromedp.Click(chromedp.CSS("input[name=provider][value=lever]")))
	u.shot("03-choose-ats")
	u.submit("create integration", "form[action='/integrations/new'] button[type=submit]")
	u.mustSee("ol.progress-steps", "Webhook URL generated")
	u.shot("04-integration-created")
	u.submit("continue to overview", "main a.btn")
	u.mustSee("#integration-status", "Draft")
	webhookURL := u.value("#webhook-url")
	if !strings.HasPrefix(webhookURL, e.URL+"/hooks/lever/int_") {
		t.Fatalf("webhook URL %q", webhookURL)
	}
	e.Lever.RegisterWebhook(lever.EventCandidateStageChange, webhookURL, apptest.StageChangeToken)

	// Enabling before credentials and settings shows the exact problems.
	u.submit("enable too early", "#enable")
	u.mustSee(".flash-error", "Not enabled")
	u.mustSee(".flash-error ul.checks", "✗")
	u.mustSee("#integration-status", "Draft")
	u.shot("05-enable-validation-error")

	// ATS → Switchboard settings.
	u.fill("#setting-trigger_stage", apptest.TriggerStageName)
	u.fill("#setting-base_url", e.LeverURL)
	u.submit("save settings", "#save-settings")
	u.mustSee(".flash-ok", "Settings saved")
	if got := u.value("#setting-trigger_stage"); got != apptest.TriggerStageName {
		t.Fatalf("trigger stage after saving: %q", got)
	}

	// Switchboard → ATS: the PDF as a URL besides the defaults (Lever has
	// no custom fields, so none are offered).
	u.do("tick pdf url", chromedp.Click(chromedp.CSS("#report-pdf_url")))
	u.submit("save write-back", "#save-write-back")
	u.mustSee(".flash-ok", "Write-back configuration saved")

	// Credentials: write-only.
	u.fill("#cred-api_key", apptest.LeverAPIKey)
	u.submit("save API key", "form:has(#cred-api_key) button[type=submit]")
	u.mustSee("#cred-api_key-state", "Set on")
	u.fill("#cred-stage_change_signature_token", apptest.StageChangeToken)
	u.submit("save signature token", "form:has(#cred-stage_change_signature_token) button[type=submit]")
	u.mustSee("#cred-stage_change_signature_token-state", "Set on")
	if strings.Contains(u.text("#credentials"), apptest.LeverAPIKey) {
		t.Fatal("a saved credential is shown again")
	}

	u.submit("enable", "#enable")
	u.mustSee(".flash-ok", "Enabled")
	u.mustSee("#integration-status", "Enabled")
	u.shot("06-integration-enabled")
	u.submit("validate", "#validate")
	u.mustSee(".flash-ok", "Validation passed")
	u.shot("07-integration-validated")

	// A vacancy with the posting's tag.
	u.submit("vacancies menu", "nav a[href='/vacancies']")
	u.submit("new vacancy", "a[href='/vacancies/new']")
	u.fill("#name", "")
	u.submit("create vacancy without a name", "#save-vacancy")
	u.mustSee(".field-error", "Name is required")
	u.fill("#name", apptest.VacancyName)
	u.fill("#tag", apptest.VacancyTag)
	u.shot("08-vacancy-form")
	u.submit("create vacancy", "#save-vacancy")
	u.mustSee(".flash-ok", "created")
	u.mustSee("table.list", apptest.VacancyTag)
	u.shot("09-vacancies")

	// Lever orders the assessment: a candidate moves to the trigger stage.
	opp, _, err := e.Lever.CreateOpportunity(context.Background(), "Ada Lovelace", "ada@example.com", posting.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ds, err := e.Lever.MoveStage(context.Background(), opp.ID, stageID); err != nil || len(ds) != 1 || ds[0].StatusCode != 200 {
		t.Fatalf("stage change: %+v %v", ds, err)
	}
	e.WaitIdle()
	msgs := e.Mail.Messages()
	if len(msgs) != 1 {
		t.Fatalf("emails: %d", len(msgs))
	}
	link := regexp.MustCompile(regexp.QuoteMeta(e.URL) + `/a/\S+`).FindString(msgs[0].Text)
	if link == "" {
		t.Fatalf("no invitation link in %q", msgs[0].Text)
	}

	// The candidate, on a phone-sized screen, takes the assessment.
	cand := &ui{t: t, ctx: newTab(t, ctx), base: e.URL, dir: u.dir}
	cand.do("phone viewport", chromedp.EmulateViewport(390, 844))
	cand.open(link)
	cand.mustSee("main h1", "assessment")
	cand.shot("10-candidate-landing")
	cand.submit("start", "form[action$='/start'] button")
	for part := 1; cand.eval("document.querySelector('input[type=radio]') !== null"); part++ {
		if part > 20 {
			t.Fatal("too many parts")
		}
		cand.do("answer part", chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('fieldset').forEach(f => f.querySelector('input[type=radio]').click())`))
		if part == 1 {
			cand.shot("11-candidate-questions")
		}
		cand.submit(fmt.Sprintf("save part %d", part), "form[action$='/q'] button[type=submit]")
	}
	cand.mustSee("main h1", "All questions answered")
	cand.submit("submit answers", "form[action$='/finish'] button")
	cand.mustSee("main h1", "Thank you")
	cand.shot("12-candidate-done")
	cand.open(link)
	cand.mustSee("main h1", "Already completed")
	cand.shot("13-candidate-link-used")
	e.WaitIdle()

	// The order page shows the result and what went back to Lever.
	u.submit("orders menu", "nav a[href='/orders']")
	u.mustSee("table.list", "Ada Lovelace")
	u.shot("14-orders")
	u.submit("open order", "table.list a[href^='/orders/ord_']")
	u.mustSee("#order-state", "Completed")
	if score := u.text("#score"); !regexp.MustCompile(`^\d+$`).MatchString(score) {
		t.Fatalf("score %q", score)
	}
	u.mustSee("#label", "fit")
	timeline := u.text("table.timeline")
	for _, want := range []string{"Order received", "Invitation emailed", "Lever told: completed", "/files", "/notes"} {
		if !strings.Contains(timeline, want) {
			t.Errorf("timeline lacks %q:\n%s", want, timeline)
		}
	}
	u.shot("15-order-result")
	if files := e.Lever.Files(opp.ID); len(files) != 1 {
		t.Fatalf("Lever files: %d", len(files))
	}
}

// newTab opens another tab in the same browser, with its own cookies, as a
// different person (the candidate) would use.
func newTab(t *testing.T, browser context.Context) context.Context {
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("new tab: %v", err)
	}
	t.Cleanup(cancel)
	return ctx
}

// TestBrowserConnectionToken: a super admin generates a Switchboard-side
// token for an ATS that connects from its marketplace (SmartRecruiters). It
// is shown exactly once, with its validity and a copy button; the
// integration page afterwards shows only that a token exists and until when.
func TestBrowserConnectionToken(t *testing.T) {
	t.Parallel()
	ctx := chrome(t)
	e := apptest.New(t, apptest.Options{})
	f := e.SetupSmartRecruiters(apptest.SROptions{NoConnect: true})
	setPassword(t, e, f.Admin.Email)
	u := &ui{t: t, ctx: ctx, base: e.URL, dir: screenshotDir(t)}

	u.open("/signin")
	u.fill("#email", f.Admin.Email)
	u.fill("#password", testPassword)
	u.submit("sign in", "form[action='/signin'] button[type=submit]")
	u.open("/integrations/" + f.IntegrationID)
	u.mustSee("#connection-state", "Not connected")
	u.submit("generate a connection token", "#generate-connection-token")
	token := u.value("#connection-token")
	if !strings.HasPrefix(token, "sbct_") || len(token) < 30 {
		t.Fatalf("connection token %q", token)
	}
	u.mustSee("#connection-token-validity", "Valid for 30 minutes")
	if !u.eval(`document.querySelector("button[data-copy='#connection-token']") !== null`) {
		t.Fatal("no copy button next to the token")
	}
	u.shot("16-connection-token")

	// Shown once: the integration page says a token is valid, not what it is.
	u.open("/integrations/" + f.IntegrationID)
	u.mustSee("#connection-token-state", "is valid until")
	if strings.Contains(u.text("body"), token) {
		t.Fatal("the integration page shows the connection token again")
	}
	// And it works: the customer connects with it.
	if res := f.Connect(f.Company.ID, token); res.Status != 200 || f.CompanyClientID() == "" {
		t.Fatalf("connecting with the token from the page: %d %s", res.Status, res.FinalURL)
	}
}
