package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"switchboard/internal/app/apptest"
	"switchboard/internal/assess"
	"switchboard/internal/ats/workable"
	"switchboard/internal/candidatebot"
	"switchboard/internal/core"
)

// TestWorkableAssessmentsTab: with the Assessments tab mapped, the
// candidate's custom fields in Workable show the status from the send on
// (Invited, then In progress, then Completed), and on completion the score
// as a number, the label as text and each indicator's score, as the order's
// result has them.
func TestWorkableAssessmentsTab(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupWorkable(apptest.WorkableOptions{Fields: true})
	as := f.Send(string(f.Candidate.ID))
	srWaitMails(t, e, 1)
	e.WaitIdle()
	vals := f.Sim.CustomValues(apptest.WorkableSubdomain, string(f.Candidate.ID))
	if got := vals[f.StatusField.ID]; got != `"Invited"` {
		t.Fatalf("after the send the status field holds %s, want \"Invited\" (all: %v)", got, vals)
	}
	if len(vals) != 1 {
		t.Errorf("before a result, fields %v are written, want only the status", vals)
	}

	link := invitationLink(t, e, e.Mail.Messages()[0])
	srStart(t, link)
	e.WaitIdle()
	if got := f.Sim.CustomValues(apptest.WorkableSubdomain, string(f.Candidate.ID))[f.StatusField.ID]; got != `"In progress"` {
		t.Errorf("after the start the status field holds %s", got)
	}
	if res, err := candidatebot.Answer(context.Background(), http.DefaultClient, link, candidatebot.FirstOption); err != nil || !strings.HasSuffix(res.FinalURL, "/done") {
		t.Fatalf("the candidate ended on %s (%v)", res.FinalURL, err)
	}
	e.WaitIdle()
	d := order(e, f.APIKey, as.ProviderID)
	if d.Order.State != "completed" || d.Result == nil {
		t.Fatalf("order %s%s", d.Order.State, d.dump())
	}
	vals = f.Sim.CustomValues(apptest.WorkableSubdomain, string(f.Candidate.ID))
	want := map[string]string{
		f.StatusField.ID: `"Completed"`,
		f.ScoreField.ID:  itoa(d.Result.Score),
		f.LabelField.ID:  `"` + d.Result.Label + `"`,
	}
	keyOf := map[string]string{}
	for _, m := range assess.DefaultPackage().Modules {
		keyOf[m.Name] = m.Key
	}
	for _, in := range d.Result.Indicators {
		want[f.IndicatorFields[keyOf[in.Name]].ID] = itoa(in.Score)
	}
	if len(d.Result.Indicators) == 0 || d.Result.Label == "" {
		t.Fatalf("result %+v has no label or indicators to check", d.Result)
	}
	for id, w := range want {
		if vals[id] != w {
			t.Errorf("field %s holds %s, want %s", id, vals[id], w)
		}
	}
	if len(vals) != len(want) {
		t.Errorf("fields %v, want exactly %v", vals, want)
	}
	if n := f.Sim.OverLimit(); n != 0 {
		t.Errorf("%d requests over Workable's limit", n)
	}
}

// TestWorkableAssessmentsTabChecked: enabling checks the mapped fields
// against the account's custom attributes, and says of each which cannot
// take its value and why.
func TestWorkableAssessmentsTabChecked(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupWorkable(apptest.WorkableOptions{Fields: true, NoEnable: true})
	date := f.Sim.AddCustomAttribute(apptest.WorkableSubdomain, workable.AttrDate, "Assessed on", true)
	off := f.Sim.AddCustomAttribute(apptest.WorkableSubdomain, workable.AttrShortText, "Old fit", false)
	wb := core.WriteBackConfig{Reports: core.ReportConfig{ReadOnlyPageURL: true}}
	wb.StatusField = core.FieldMapping{Enabled: true, FieldID: date.ID}
	wb.ScoreField = core.FieldMapping{Enabled: true, FieldID: "nope"}
	wb.LabelField = core.FieldMapping{Enabled: true, FieldID: off.ID}
	e.MustAPI(http.StatusOK, f.APIKey, "PATCH", "/integrations/"+f.IntegrationID, map[string]any{"write_back": wb}, nil)
	failed := wkEnableRefused(e, f)
	if len(failed) != 1 {
		t.Fatalf("failing checks %q, want the Assessments tab's", failed)
	}
	for _, w := range []string{"for the status is a date field; it needs a short text or free text field", `no custom field "nope" for the score`, "(Old fit) for the label is disabled"} {
		if !strings.Contains(failed[0], w) {
			t.Errorf("problem %q does not say %q", failed[0], w)
		}
	}
}
