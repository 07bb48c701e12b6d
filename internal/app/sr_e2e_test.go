package app_test

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"switchboard/internal/app/apptest"
	sr "switchboard/internal/ats/smartrecruiters"
	"switchboard/internal/atssim/srsim"
	"switchboard/internal/candidatebot"
)

// TestSRAdHocToResults follows one ad-hoc order from a recruiter's click in
// SmartRecruiters to what the candidate profile shows: PENDING once the
// candidate is emailed, IN_PROGRESS when they start, COMPLETED with the
// score triple, label, summary, result and report links, one result per
// matching indicator, the PDF as an attachment, and the custom application
// fields (score, label mapped to its value id, indicators).
func TestSRAdHocToResults(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		f := e.SetupSmartRecruiters(apptest.SROptions{})
		srOrderID := srAdHocInvited(t, e, f)
		if got := srStatuses(srSimOrder(t, f, srOrderID)); got != "PENDING" {
			t.Fatalf("after the order, SmartRecruiters shows %q, want PENDING\n%s", got, srDump(f))
		}
		o := srOrderBySR(t, e, f, srOrderID)
		if o.Mode != "ad_hoc" || o.State != "invited" || o.ExternalJobID != string(f.Job.ID) || o.CandidateEmail != apptest.SRCandidateEmail {
			t.Fatalf("order %+v", o)
		}
		link := invitationLink(t, e, e.Mail.Messages()[0])

		srStart(t, link)
		e.WaitIdle()
		if got := srStatuses(srSimOrder(t, f, srOrderID)); got != "PENDING → IN_PROGRESS" {
			t.Fatalf("after starting, SmartRecruiters shows %q", got)
		}
		if res, err := candidatebot.Answer(context.Background(), http.DefaultClient, link, candidatebot.FirstOption); err != nil || !strings.HasSuffix(res.FinalURL, "/done") {
			t.Fatalf("the candidate ended on %s (%v), want the end page (no return URL for ad-hoc orders)", res.FinalURL, err)
		}
		e.WaitIdle()

		so := srSimOrder(t, f, srOrderID)
		if got := srStatuses(so); got != "PENDING → IN_PROGRESS → COMPLETED" {
			t.Fatalf("SmartRecruiters shows %q", got)
		}
		d := order(e, f.APIKey, o.ID)
		if d.Order.State != "completed" || d.Result == nil {
			t.Fatalf("order %+v%s", d.Order, d.dump())
		}
		r := so.Result
		if r.Score == nil || int(r.Score.Raw) != d.Result.Score || r.Score.Min != 0 || r.Score.Max != 100 {
			t.Errorf("score %+v, want %d of 0..100", r.Score, d.Result.Score)
		}
		if r.ScoreLabel != d.Result.Label || r.Summary != d.Result.Summary || r.Summary == "" {
			t.Errorf("label %q summary %q, want %q %q", r.ScoreLabel, r.Summary, d.Result.Label, d.Result.Summary)
		}
		if r.SubmissionDate.IsZero() || r.AssessmentPackageDate.IsZero() {
			t.Errorf("dates %v %v", r.AssessmentPackageDate, r.SubmissionDate)
		}
		if len(r.AssessmentResults) != len(d.Result.Indicators) || len(r.AssessmentResults) == 0 {
			t.Errorf("%d assessment results, want one per indicator (%d)", len(r.AssessmentResults), len(d.Result.Indicators))
		}
		// The PDF is uploaded and linked; the read-only report is the result URL.
		if len(so.Attachments) != 1 || !bytes.HasPrefix(so.Attachments[0].Data, []byte("%PDF")) ||
			so.Attachments[0].ContentType != "application/pdf" || !strings.HasSuffix(so.Attachments[0].FileName, ".pdf") {
			t.Fatalf("uploaded attachments %+v", so.Attachments)
		}
		var pdfLink string
		for _, a := range r.Attachments {
			if a.Type == sr.AttachmentPDFURL {
				pdfLink = a.URL
			}
		}
		if pdfLink != so.Attachments[0].URL {
			t.Errorf("PDF_URL %q, want the uploaded file's %q", pdfLink, so.Attachments[0].URL)
		}
		if so.ResultURL() != d.Reports.ReadOnlyPageURL || so.ResultURL() == "" {
			t.Errorf("result URL %q, want the read-only report %q", so.ResultURL(), d.Reports.ReadOnlyPageURL)
		}
		if resp, _ := e.Get(so.ResultURL()); resp.StatusCode != http.StatusOK {
			t.Errorf("GET result URL: %d", resp.StatusCode)
		}

		// Custom application fields: score as text, label as its value id,
		// one text field per indicator.
		props := f.Sim.Properties(f.Company.ID, string(f.Candidate.ID), string(f.Job.ID))
		if props[f.ScoreField.ID] != strconv.Itoa(d.Result.Score) {
			t.Errorf("score field %v, want %d", props[f.ScoreField.ID], d.Result.Score)
		}
		if want := f.LabelValues[d.Result.Label]; props[f.LabelField.ID] != want || want == "" {
			t.Errorf("label field %v, want %q (%s)", props[f.LabelField.ID], want, d.Result.Label)
		}
		for _, in := range d.Result.Indicators {
			var key string
			for k, p := range f.IndicatorFields {
				if p.Label == in.Name {
					key = k
				}
			}
			if got := props[f.IndicatorFields[key].ID]; got != strconv.Itoa(in.Score) {
				t.Errorf("indicator %s field %v, want %d", in.Name, got, in.Score)
			}
		}
		if n := f.Sim.ThrottledCount(); n != 0 {
			t.Errorf("SmartRecruiters throttled %d requests", n)
		}
		// Each write-back call is on the order's timeline.
		if calls := d.entries("ats_call", "PATCH /assessment-api/v202010/orders/"+srOrderID+"/results"); len(calls) != 3 {
			t.Errorf("%d results PATCHes on the timeline, want 3:%s", len(calls), d.dump())
		}
	})
}

// TestSRAdHocTwoPackages: a recruiter orders two packages at once; each is
// one order and one email; left untaken, each expires and SmartRecruiters
// shows EXPIRED.
func TestSRAdHocTwoPackages(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupSmartRecruiters(apptest.SROptions{})
	pls, err := f.Sim.OrderAdHoc(context.Background(), f.Company.ID, string(f.Candidate.ID), string(f.Job.ID),
		f.VacancyIDs[apptest.SRVacancyName], f.VacancyIDs[apptest.SRSecondVacancyName])
	srPlaced(t, pls, err, http.StatusAccepted)
	srWaitMails(t, e, 2)
	e.WaitIdle()
	if got := len(srOrders(e, f)); got != 2 {
		t.Fatalf("%d orders, want 2", got)
	}
	var names []string
	for _, p := range pls {
		o := srOrderBySR(t, e, f, p.OrderID)
		names = append(names, o.VacancyName)
		if o.Mode != "ad_hoc" {
			t.Errorf("order %s mode %s", o.ID, o.Mode)
		}
		if got := srStatuses(srSimOrder(t, f, p.OrderID)); got != "PENDING" {
			t.Errorf("SmartRecruiters order %s shows %q", p.OrderID, got)
		}
	}
	slices.Sort(names)
	if want := []string{apptest.SRVacancyName, apptest.SRSecondVacancyName}; !slices.Equal(names, want) {
		t.Errorf("ordered %v, want %v", names, want)
	}
	if n := len(e.Mail.Messages()); n != 2 {
		t.Errorf("%d emails, want 2", n)
	}
	for _, m := range e.Mail.Messages() {
		if !slices.Contains(m.To, apptest.SRCandidateEmail) {
			t.Errorf("email to %v", m.To)
		}
	}

	// Neither is taken in time: both expire, and SmartRecruiters is told.
	e.Clock.Advance(7*24*time.Hour + time.Minute)
	if n, err := e.App.Engine.ExpireDue(context.Background()); n != 2 || err != nil {
		t.Fatalf("expire due: %d %v, want 2", n, err)
	}
	e.WaitIdle()
	for _, p := range pls {
		if got := srStatuses(srSimOrder(t, f, p.OrderID)); got != "PENDING → EXPIRED" {
			t.Errorf("SmartRecruiters order %s shows %q after expiry", p.OrderID, got)
		}
	}

	// SmartRecruiters ends an order at EXPIRED: re-inviting is refused with
	// what to do instead, and changes nothing there.
	o := srOrderBySR(t, e, f, pls[0].OrderID)
	var refusal struct {
		Error string `json:"error"`
	}
	if status := e.API(f.APIKey, "POST", "/orders/"+o.ID+"/resend-invitation", nil, &refusal); status != http.StatusConflict ||
		!strings.Contains(refusal.Error, "order the assessment again in SmartRecruiters") {
		t.Errorf("re-inviting an expired SmartRecruiters order: %d %q, want 409 saying to order again", status, refusal.Error)
	}
	e.WaitIdle()
	if got := len(srOrders(e, f)); got != 2 || len(e.Mail.Messages()) != 2 {
		t.Errorf("after the refused re-invitation: %d orders, %d emails; want 2 and 2", got, len(e.Mail.Messages()))
	}
}

// TestSRAutoTriggered: moving a candidate into the hiring-process step with
// an auto-triggered package orders it, marked as triggered.
func TestSRAutoTriggered(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupSmartRecruiters(apptest.SROptions{})
	pls, err := f.Sim.MoveToStep(context.Background(), f.Company.ID, string(f.Candidate.ID), string(f.Job.ID), f.AssessmentStep())
	srPlaced(t, pls, err, http.StatusAccepted)
	if len(pls) != 1 {
		t.Fatalf("%d placements, want 1", len(pls))
	}
	srWaitMails(t, e, 1)
	e.WaitIdle()
	o := srOrderBySR(t, e, f, pls[0].OrderID)
	if o.Mode != "triggered" || o.VacancyName != apptest.SRVacancyName {
		t.Errorf("order %+v, want a triggered %s order", o, apptest.SRVacancyName)
	}
	if so := srSimOrder(t, f, pls[0].OrderID); so.Kind != srsim.KindTriggered || srStatuses(so) != "PENDING" {
		t.Errorf("SmartRecruiters order %s: %s", so.Kind, srStatuses(so))
	}
}

// TestSRInline: applying through a job with an inline package, the applicant
// is sent at once to the assessment (no email), takes it, lands back on
// SmartRecruiters' return URL and finishes applying; the result is written
// back without an attachment (SmartRecruiters takes none on inline orders),
// and the custom fields reach the applicant found by email.
func TestSRInline(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupSmartRecruiters(apptest.SROptions{})
	ctx := context.Background()
	app, err := f.Sim.ApplyInline(ctx, f.Company.ID, string(f.Job.ID), srsim.Applicant{FirstName: "Bo", LastName: "Chen", Email: "bo.chen@example.com"})
	if err != nil || app.StatusCode != http.StatusOK {
		t.Fatalf("apply inline: %d %s %v", app.StatusCode, app.Body, err)
	}
	if !strings.HasPrefix(app.CandidateURL, e.URL+"/a/") {
		t.Fatalf("candidate URL %q is not a Switchboard invitation link", app.CandidateURL)
	}
	if a, _ := f.Sim.Application(f.Company.ID, app.CandidateID, string(f.Job.ID)); !a.Inline {
		t.Fatalf("the application is finished before the assessment: %+v", a)
	}
	e.WaitIdle()
	o := srOrderBySR(t, e, f, app.OrderID)
	if o.Mode != "inline" || o.VacancyName != apptest.SRInlineVacancyName {
		t.Fatalf("order %+v", o)
	}

	res, err := candidatebot.Take(ctx, &http.Client{}, app.CandidateURL, candidatebot.FirstOption)
	if err != nil {
		t.Fatalf("take: %v", err)
	}
	if res.FinalURL != app.ReturnURL {
		t.Fatalf("the applicant ended on %s, want SmartRecruiters' return URL %s", res.FinalURL, app.ReturnURL)
	}
	if so := srSimOrder(t, f, app.OrderID); !so.Returned {
		t.Error("SmartRecruiters did not see the applicant return")
	}
	if a, _ := f.Sim.Application(f.Company.ID, app.CandidateID, string(f.Job.ID)); a.Inline {
		t.Error("the application is still unfinished after the return")
	}
	e.WaitIdle()
	so := srSimOrder(t, f, app.OrderID)
	if got := srStatuses(so); !strings.HasPrefix(got, "PENDING") || !strings.HasSuffix(got, "COMPLETED") {
		t.Errorf("SmartRecruiters shows %q", got)
	}
	if so.Result.Score == nil || so.Result.ScoreLabel == "" || len(so.Attachments) != 0 {
		t.Errorf("result %+v, %d attachments (want a score, a label and none)", so.Result, len(so.Attachments))
	}
	props := f.Sim.Properties(f.Company.ID, app.CandidateID, string(f.Job.ID))
	if props[f.ScoreField.ID] != strconv.Itoa(int(so.Result.Score.Raw)) {
		t.Errorf("inline applicant's score field %v, want %d", props[f.ScoreField.ID], so.Result.Score.Raw)
	}
	if n := len(e.Mail.Messages()); n != 0 {
		t.Errorf("%d emails for an inline order, want none", n)
	}
}
