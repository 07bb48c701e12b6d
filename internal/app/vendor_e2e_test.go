package app_test

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"switchboard/examples/examplevendor"
	"switchboard/internal/app/apptest"
	sr "switchboard/internal/ats/smartrecruiters"
	"switchboard/internal/atssim/srsim"
	"switchboard/internal/core"
)

// TestVendorFulfilsSRAdHocOrder: a recruiter orders an outside vendor's
// package in SmartRecruiters; the vendor (the example vendor, over real
// HTTP) receives a signed delivery, reports progress and posts its result
// with a PDF attachment through the vendor API; SmartRecruiters shows
// PENDING → IN_PROGRESS → COMPLETED with the vendor's score triple, label,
// summary, result link and the attachment (Switchboard's stored copy).
func TestVendorFulfilsSRAdHocOrder(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		f := e.SetupSmartRecruiters(apptest.SROptions{})
		vf := e.SetupVendor("Acme Assessments", core.KindAssessment, apptest.VendorOptions{Manual: true}, f.Admin.AccountID)
		vac := e.VendorVacancy(f.Admin.AccountID, vf.Vendor.ID, "cog-20")
		// The vendor's label, onto the fit field; every report link that can
		// go back to SmartRecruiters, goes.
		srWriteBack(e, f, "Cognitive ability", "val-good", core.ReportConfig{PDFURL: true, SignedReportURL: true})

		pkgs := srPackages(t, f)
		if !strings.Contains(pkgs, vac.ID+" SKILL_TEST Cognitive ability") {
			t.Fatalf("SmartRecruiters lists:\n%s\nwant the vendor's package next to the built-in vacancies", pkgs)
		}
		pls, err := f.Sim.OrderAdHoc(context.Background(), f.Company.ID, string(f.Candidate.ID), string(f.Job.ID), vac.ID)
		srPlaced(t, pls, err, http.StatusAccepted)
		vf.Settle(e)

		got := vf.Program.Received()
		if len(got) != 1 || got[0].Package.ID != "cog-20" || got[0].Email() != apptest.SRCandidateEmail || got[0].Mode != "ad_hoc" ||
			got[0].Provider != "smartrecruiters" || got[0].AccountID != f.Admin.AccountID || got[0].Job.ID != string(f.Job.ID) {
			t.Fatalf("the vendor received %+v", got)
		}
		// The vendor may report progress before its answer to the delivery
		// is recorded: PENDING is then not written after IN_PROGRESS.
		if st := srStatuses(srSimOrder(t, f, pls[0].OrderID)); st != "PENDING → IN_PROGRESS" && st != "IN_PROGRESS" {
			t.Fatalf("once the vendor started, SmartRecruiters shows %q\n%s", st, srDump(f))
		}
		if err := vf.Program.Complete(context.Background(), got[0].ID); err != nil {
			t.Fatalf("the vendor's result: %v", err)
		}
		vf.Settle(e)
		so := srSimOrder(t, f, pls[0].OrderID)
		if st := srStatuses(so); !strings.HasSuffix(st, "IN_PROGRESS → COMPLETED") {
			t.Fatalf("SmartRecruiters shows %q\n%s", st, srDump(f))
		}
		score := examplevendor.ScoreFor(apptest.SRCandidateEmail)
		r := so.Result
		if r.Score == nil || int(r.Score.Raw) != score || r.Score.Min != 0 || r.Score.Max != 100 {
			t.Errorf("score %+v, want %d of 0..100", r.Score, score)
		}
		if r.ScoreLabel != "Cognitive ability" || !strings.Contains(r.Summary, strconv.Itoa(score)+" out of 100") || strings.Contains(r.Summary, "<") {
			t.Errorf("label %q summary %q: want the vendor's label and its summary as plain text", r.ScoreLabel, r.Summary)
		}
		var pdf, other []string
		for _, a := range r.Attachments {
			switch a.Type {
			case sr.AttachmentPDFURL:
				pdf = append(pdf, a.URL)
			case sr.AttachmentOtherURL:
				other = append(other, a.URL)
			}
		}
		if len(pdf) != 1 || !strings.HasPrefix(pdf[0], e.URL+"/files/") {
			t.Fatalf("PDF links %q, want one to Switchboard's stored copy", pdf)
		}
		res, body := e.Get(pdf[0])
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF") {
			t.Errorf("the PDF link answers %d %s %.20q", res.StatusCode, res.Header.Get("Content-Type"), body)
		}
		for _, u := range append(pdf, other...) {
			if strings.Contains(u, "/report.pdf") {
				t.Errorf("link %s is to the built-in engine's PDF, which a vendor's result has not", u)
			}
		}
		if !contains(other, vf.URL+"/reports/") {
			t.Errorf("result links %q, want the vendor's report page", other)
		}
		props := f.Sim.Properties(f.Company.ID, string(f.Candidate.ID), string(f.Job.ID))
		if props[f.ScoreField.ID] != strconv.Itoa(score) || props[f.LabelField.ID] != "val-good" {
			t.Errorf("custom fields %v, want the score and the mapped label", props)
		}
		d := order(e, f.APIKey, srOrderBySR(t, e, f, pls[0].OrderID).ID)
		if d.Order.State != "completed" || len(d.entries("vendor_call", "POST 127.0.0.1")) != 1 || len(d.entries("state", "Acme Assessments accepted the order")) > 1 ||
			len(d.entries("state", "Result received from Acme Assessments")) != 1 {
			t.Errorf("order %s%s", d.Order.State, d.dump())
		}
	})
}

// srMapLabel maps a result label onto a value of the fit field, keeping
// the rest of the fixture's write-back configuration.
func srMapLabel(e *apptest.Env, f *apptest.SRFixture, label, valueID string) {
	srWriteBack(e, f, label, valueID, core.DefaultWriteBack().Reports)
}

// srWriteBack is srMapLabel choosing which reports go back too.
func srWriteBack(e *apptest.Env, f *apptest.SRFixture, label, valueID string, reports core.ReportConfig) {
	wb := core.DefaultWriteBack()
	wb.Reports = reports
	wb.ScoreField = core.FieldMapping{Enabled: true, FieldID: f.ScoreField.ID}
	wb.LabelField = core.FieldMapping{Enabled: true, FieldID: f.LabelField.ID}
	wb.LabelValues = map[string]string{label: valueID}
	for k, v := range f.LabelValues {
		wb.LabelValues[k] = v
	}
	wb.IndicatorFields = map[string]core.FieldMapping{}
	for k, p := range f.IndicatorFields {
		wb.IndicatorFields[k] = core.FieldMapping{Enabled: true, FieldID: p.ID}
	}
	e.MustAPI(http.StatusOK, f.APIKey, "PATCH", "/integrations/"+f.IntegrationID, map[string]any{"write_back": wb}, nil)
}

func contains(ss []string, prefix string) bool {
	for _, s := range ss {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

// srPackages is what SmartRecruiters lists of the integration's packages:
// one "id TYPE name" line each.
func srPackages(t *testing.T, f *apptest.SRFixture) string {
	t.Helper()
	ps, err := f.Sim.ListPackages(context.Background(), f.Company.ID)
	if err != nil {
		t.Fatalf("packages: %v", err)
	}
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(string(p.ID) + " " + string(p.Type) + " " + p.Name + "\n")
	}
	return b.String()
}

// TestVendorFulfilsSRInlineAndBackgroundCheck: an applicant applies through
// a vendor's inline package and SmartRecruiters sends them to the vendor's
// own test page (its test_url, asked for synchronously); a recruiter orders
// a background check (a BACKGROUND_CHECK package) from a second vendor,
// which answers "Clear".
func TestVendorFulfilsSRInlineAndBackgroundCheck(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		f := e.SetupSmartRecruiters(apptest.SROptions{})
		ctx := context.Background()
		tests := e.SetupVendor("Acme Assessments", core.KindAssessment, apptest.VendorOptions{Manual: true}, f.Admin.AccountID)
		checks := e.SetupVendor("Acme Checks", core.KindBackgroundCheck, apptest.VendorOptions{Manual: true}, f.Admin.AccountID)
		srMapLabel(e, f, "Situational judgement", "val-good")

		// Inline: the vendor's package made inline for the account.
		job := srInlineJob(t, e, f, tests, "sjt-1")
		app, err := f.Sim.ApplyInline(ctx, f.Company.ID, string(job.ID), srsim.Applicant{FirstName: "Grace", LastName: "Hopper", Email: "grace@example.com"})
		if err != nil {
			t.Fatalf("apply inline: %v\n%s", err, e.Log())
		}
		if !strings.HasPrefix(app.CandidateURL, tests.URL+"/candidate/ord_") {
			t.Fatalf("SmartRecruiters sends the applicant to %q, want the vendor's test page", app.CandidateURL)
		}
		tests.Settle(e)
		got := tests.Program.Received()
		if len(got) != 1 || got[0].Mode != "inline" || got[0].TestURL != app.CandidateURL || got[0].ReturnURL != app.ReturnURL || app.ReturnURL == "" {
			t.Fatalf("the vendor received %+v", got)
		}
		if _, page := e.Get(app.CandidateURL); !strings.Contains(page, `href="`+app.ReturnURL+`"`) {
			t.Errorf("the vendor's page does not lead back to the application:\n%s", page)
		}
		if err := tests.Program.Complete(ctx, got[0].ID); err != nil {
			t.Fatal(err)
		}
		tests.Settle(e)
		so := srSimOrder(t, f, app.OrderID)
		if st := srStatuses(so); !strings.HasSuffix(st, "COMPLETED") || so.Result.Score == nil ||
			int(so.Result.Score.Raw) != examplevendor.ScoreFor("grace@example.com") {
			t.Errorf("inline order: SmartRecruiters shows %q, result %+v", st, so.Result)
		}

		// The background check.
		bg := e.VendorVacancy(f.Admin.AccountID, checks.Vendor.ID, "bg-basic")
		if pkgs := srPackages(t, f); !strings.Contains(pkgs, bg.ID+" BACKGROUND_CHECK Basic background check") {
			t.Fatalf("SmartRecruiters lists:\n%s\nwant the background check", pkgs)
		}
		srMapLabel(e, f, "Clear", "val-great")
		pls, err := f.Sim.OrderAdHoc(ctx, f.Company.ID, string(f.Candidate.ID), string(f.Job.ID), bg.ID)
		srPlaced(t, pls, err, http.StatusAccepted)
		checks.Settle(e)
		rec := checks.Program.Received()
		if len(rec) != 1 || rec[0].Kind != "background_check" || !strings.HasSuffix(rec[0].ResultsUpdateURL, "/unified/ats/background_checks/orders/"+rec[0].ID+"/result") {
			t.Fatalf("the check vendor received %+v", rec)
		}
		if err := checks.Program.Complete(ctx, rec[0].ID); err != nil {
			t.Fatal(err)
		}
		checks.Settle(e)
		so = srSimOrder(t, f, pls[0].OrderID)
		if st := srStatuses(so); !strings.HasSuffix(st, "COMPLETED") || so.Result.Score != nil || so.Result.ScoreLabel != "Clear" ||
			!strings.Contains(so.Result.Summary, "no records found") {
			t.Errorf("background check: SmartRecruiters shows %q, result %+v", st, so.Result)
		}
		d := order(e, f.APIKey, srOrderBySR(t, e, f, pls[0].OrderID).ID)
		if d.Result == nil || d.Result.Label != "Clear" {
			t.Errorf("the check's result in the admin API: %+v", d.Result)
		}
	})
}

// TestVendorFulfilsLeverTriggeredOrder: a Lever stage move on a posting
// tagged for a vendor's package orders it from the vendor; Lever shows the
// invited tag and note, then the score tag, the result note and links to
// the vendor's report and to Switchboard's copy of its PDF.
func TestVendorFulfilsLeverTriggeredOrder(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		f := e.SetupLever(apptest.LeverOptions{})
		admin, err := e.App.Identity.Authenticate(context.Background(), f.APIKey)
		if err != nil {
			t.Fatal(err)
		}
		vf := e.SetupVendor("Acme Assessments", core.KindAssessment, apptest.VendorOptions{Manual: true}, admin.AccountID)
		vac := e.VendorVacancy(admin.AccountID, vf.Vendor.ID, "cog-20")
		e.MustAPI(http.StatusOK, f.APIKey, "PATCH", "/vacancies/"+vac.ID, map[string]any{"tag": "Acme: Cognitive"}, nil)
		analysts := f
		analysts.PostingID = e.Lever.AddPosting("Data Analyst", []string{"Acme: Cognitive"}, f.OwnerID).ID

		opp := e.LeverToTrigger(analysts, "Ada Lovelace", "ada@example.com")
		vf.Settle(e)
		got := vf.Program.Received()
		if len(got) != 1 || got[0].Mode != "triggered" || got[0].Provider != "lever" || got[0].Job.ID != analysts.PostingID || got[0].Package.ID != "cog-20" {
			t.Fatalf("the vendor received %+v", got)
		}
		o, _ := e.Lever.Opportunity(opp.ID)
		if !slices.Contains(o.Tags, "Switchboard: invited") || countContaining(noteTexts(e, opp.ID), `was invited to the "Cognitive ability" assessment.`) != 1 {
			t.Errorf("Lever after the vendor took the order: tags %v, notes %q", o.Tags, noteTexts(e, opp.ID))
		}
		if err := vf.Program.Complete(context.Background(), got[0].ID); err != nil {
			t.Fatal(err)
		}
		vf.Settle(e)
		o, _ = e.Lever.Opportunity(opp.ID)
		score := examplevendor.ScoreFor("ada@example.com")
		if !slices.Contains(o.Tags, "Switchboard: "+strconv.Itoa(score)+"%") {
			t.Errorf("tags %v, want the score tag %d%%", o.Tags, score)
		}
		if countContaining(noteTexts(e, opp.ID), strconv.Itoa(score)) < 1 {
			t.Errorf("notes %q, want the result", noteTexts(e, opp.ID))
		}
		if !contains(o.Links, vf.URL+"/reports/") || !contains(o.Links, e.URL+"/files/") {
			t.Errorf("links %q, want the vendor's report and Switchboard's copy of its PDF", o.Links)
		}
	})
}

// srInlineJob makes a vendor's package inline for the account and opens a
// SmartRecruiters job whose hiring process takes it mid-application.
func srInlineJob(t *testing.T, e *apptest.Env, f *apptest.SRFixture, vf *apptest.VendorFixture, packageID string) sr.Job {
	t.Helper()
	inline := e.VendorVacancy(f.Admin.AccountID, vf.Vendor.ID, packageID)
	e.MustAPI(http.StatusOK, f.APIKey, "PATCH", "/vacancies/"+inline.ID, map[string]any{"inline": true}, nil)
	proc, err := f.Sim.AddHiringProcess(f.Company.ID, "Analysts", inline.ID, srsim.Step{Name: "Applied"}, srsim.Step{Name: "Interview"})
	if err != nil {
		t.Fatal(err)
	}
	job, err := f.Sim.AddJob(f.Company.ID, "Data Analyst", proc.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	return job
}
