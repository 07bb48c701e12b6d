package app_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"switchboard/examples/examplevendor"
	"switchboard/internal/app/apptest"
	"switchboard/internal/atssim/srsim"
	"switchboard/internal/core"
	sr "switchboard/internal/smartrecruiters"
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
		srMapLabel(e, f, "Cognitive ability", "val-good") // the vendor's label, onto the fit field

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
	wb := core.DefaultWriteBack()
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

var _ = srsim.Placement{}
