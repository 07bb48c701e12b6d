package workable_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"switchboard/internal/ats"
	"switchboard/internal/ats/workable"
	"switchboard/internal/atssim/workablesim"
	"switchboard/internal/core"
)

func TestCheckCallback(t *testing.T) {
	t.Parallel()
	strict := workable.NewConnector(workable.ConnectorOptions{})
	allowing := workable.NewConnector(workable.ConnectorOptions{AllowATSHosts: []string{"127.0.0.1", "sim.internal:8443"}})
	for _, tc := range []struct {
		url             string
		strict, allowed bool
	}{
		{"https://acme.workable.com/assessments/1/results", true, true},
		{"https://ACME.eu.workable.com/x", true, true},
		{"http://acme.workable.com/x", false, false}, // not over https
		{"https://workable.com/x", false, false},
		{"https://acme.workable.com.evil.example/x", false, false},
		{"https://user:pw@acme.workable.com/x", false, false},
		{"http://127.0.0.1:9000/acme/assessment-results/1", false, true},
		{"http://sim.internal:8443/x", false, true},
		{"http://sim.internal:8444/x", false, false},
		{"http://169.254.169.254/latest/meta-data", false, false},
		{"/relative", false, false},
	} {
		if got := strict.CheckCallback(tc.url) == ""; got != tc.strict {
			t.Errorf("without allowed hosts, %s accepted: %v, want %v", tc.url, got, tc.strict)
		}
		if got := allowing.CheckCallback(tc.url) == ""; got != tc.allowed {
			t.Errorf("with allowed hosts, %s accepted: %v, want %v", tc.url, got, tc.allowed)
		}
	}
}

func TestDescribe(t *testing.T) {
	t.Parallel()
	c := workable.NewConnector(workable.ConnectorOptions{})
	d := c.Describe()
	if len(d.Patterns) != 1 || d.Patterns[0] != core.PatternAdHoc || !d.Multiple || d.Results != ats.ResultsPushed || c.InboundAuth() != ats.InboundBearer {
		t.Fatalf("description %+v", d)
	}
	// The base URL override accepts Workable's subdomains by default.
	for _, f := range d.Settings {
		if f.Key == workable.SettingBaseURL {
			if p := (ats.AllowedHosts{}).CheckURL("Workable", f, workable.DefaultBaseURL("acme")); p != "" {
				t.Errorf("the default base URL is refused: %s", p)
			}
		}
	}
}

func TestMapping(t *testing.T) {
	t.Parallel()
	for s, want := range map[core.State]workable.Status{core.StateReceived: "pending", core.StateInvited: "pending", core.StateInProgress: "pending",
		core.StateCompleted: "completed", core.StateExpired: "expired", core.StateRejected: "rejected"} {
		if got, ok := workable.StatusFor(s); !ok || got != want {
			t.Errorf("StatusFor(%s) = %q", s, got)
		}
	}
	if _, ok := workable.StatusFor(core.StateCancelled); ok {
		t.Error("cancelled has a Workable status")
	}
	for _, tc := range []struct {
		r    core.Result
		want workable.Grade
	}{
		{core.Result{Label: "Great fit"}, "excelled"}, {core.Result{Label: "Good fit"}, "passed"}, {core.Result{Label: "Poor fit"}, "failed"},
		{core.Result{Value: core.ResultPassed}, "passed"}, {core.Result{Value: core.ResultFailed, Label: "Clear"}, "failed"}, {core.Result{Label: "Clear"}, ""},
	} {
		if got := workable.GradeFor(tc.r); got != tc.want {
			t.Errorf("GradeFor(%+v) = %q, want %q", tc.r, got, tc.want)
		}
	}
	if got := workable.ScoreFor(&core.Score{Value: 82, Max: 100}); got != "82" {
		t.Errorf("score of 82/100 = %q", got)
	}
	if got := workable.ScoreFor(&core.Score{Value: 7, Min: 1, Max: 10}); got != "67" {
		t.Errorf("score of 7 on 1..10 = %q, want the percentage 67", got)
	}
	start := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	if got := workable.Duration(start, start.Add(41*time.Minute+17*time.Second)); got != "00:41:17" {
		t.Errorf("Duration = %q", got)
	}
	if got := workable.Duration(time.Time{}, start); got != "" {
		t.Errorf("Duration without a start = %q", got)
	}
}

func TestLinksFor(t *testing.T) {
	t.Parallel()
	r := ats.Reports{DetailPageURL: "https://sb/orders/1", ReadOnlyPageURL: "https://sb/r/1", PDFURL: "https://sb/r/1/report.pdf", SignedReportURL: "https://sb/s/1"}
	res := core.Result{ResultURL: "https://vendor/r/9", Attachments: []core.Attachment{{Name: "Video", ContentType: "video/mp4", URL: "https://vendor/v.mp4"}}}
	for _, tc := range []struct {
		name    string
		rc      core.ReportConfig
		results string
		attach  []string
	}{
		{"read-only first", core.ReportConfig{ReadOnlyPageURL: true, SignedReportURL: true, PDFURL: true},
			"https://sb/r/1", []string{"https://sb/s/1", "https://vendor/r/9", "https://sb/r/1/report.pdf", "https://vendor/v.mp4"}},
		{"signed report", core.ReportConfig{SignedReportURL: true}, "https://sb/s/1", []string{"https://vendor/r/9", "https://vendor/v.mp4"}},
		{"detail page, the PDF file as its link", core.ReportConfig{DetailPageURL: true, PDFFile: true},
			"https://sb/orders/1", []string{"https://vendor/r/9", "https://sb/r/1/report.pdf", "https://vendor/v.mp4"}},
		{"nothing on: the vendor's page", core.ReportConfig{}, "https://vendor/r/9", []string{"https://vendor/v.mp4"}},
	} {
		l := workable.LinksFor(tc.rc, r, res)
		var got []string
		for _, a := range l.Attachments {
			got = append(got, a.URL)
		}
		if l.ResultsURL != tc.results || strings.Join(got, " ") != strings.Join(tc.attach, " ") {
			t.Errorf("%s: results %q attachments %q, want %q %q", tc.name, l.ResultsURL, got, tc.results, tc.attach)
		}
	}
	if l := workable.LinksFor(core.ReportConfig{}, r, core.Result{}); l.ResultsURL != "" {
		t.Errorf("nothing to link: results_url %q", l.ResultsURL)
	}
}

// simClient is a client of the simulator's acme account.
func simClient(t *testing.T, sim *workablesim.Server, url string) *workable.Client {
	t.Helper()
	tok := sim.AddToken("acme", workablesim.AllScopes...)
	cl, err := workable.NewClient(url+"/acme/spi/v3", tok, workable.ClientOptions{HTTP: http.DefaultClient})
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

func TestClientFollowsPaging(t *testing.T) {
	t.Parallel()
	sim := workablesim.New()
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	sim.SetBaseURL(srv.URL)
	sim.AddAccount("acme", "Acme")
	for i := range 130 {
		sim.AddMember("acme", fmt.Sprintf("Member %d", i), fmt.Sprintf("m%d@example.com", i), "simple")
	}
	ms, err := simClient(t, sim, srv.URL).Members(context.Background())
	if err != nil || len(ms) != 130 {
		t.Fatalf("Members: %d, %v; want all 130 over two pages", len(ms), err)
	}
}

func TestClientRefusesBadPaging(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, next, want string
	}{
		{"a loop", "self", "repeats a page"},
		{"another host", "https://evil.example/spi/v3/members?since_id=1", "not at the API's"},
		{"not absolute", "/spi/v3/members?page=2", "not an absolute URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var srv *httptest.Server
			srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				next := tc.next
				if next == "self" {
					next = srv.URL + "/acme/spi/v3/members?since_id=x"
				}
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprintf(w, `{"members":[{"id":"a1","name":"A","role":"admin"}],"paging":{"next":%q}}`, next)
			}))
			t.Cleanup(srv.Close)
			cl, err := workable.NewClient(srv.URL+"/acme/spi/v3", "tok", workable.ClientOptions{HTTP: http.DefaultClient})
			if err != nil {
				t.Fatal(err)
			}
			_, err = cl.Members(context.Background())
			if !errors.Is(err, workable.ErrPaging) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Members: %v, want a paging error saying %q", err, tc.want)
			}
		})
	}
}

func TestAttributeValuesFor(t *testing.T) {
	t.Parallel()
	attrs := []workable.CustomAttribute{
		{ID: "st", Type: workable.AttrShortText, Enabled: true}, {ID: "num", Type: workable.AttrNumeric, Enabled: true},
		{ID: "txt", Type: workable.AttrFreeText, Enabled: true}, {ID: "lbl", Type: workable.AttrShortText, Enabled: true},
		{ID: "date", Type: workable.AttrDate, Enabled: true}, {ID: "off", Type: workable.AttrNumeric},
	}
	on := func(id string) core.FieldMapping { return core.FieldMapping{Enabled: true, FieldID: id} }
	res := &core.Result{Score: &core.Score{Value: 7, Min: 1, Max: 10}, Label: "Good fit", Components: []core.Component{
		{Key: "num", Name: "Numeracy", Score: &core.Score{Value: 81.5, Max: 100}}, {Key: "verbal", Score: &core.Score{Value: 60, Max: 100}},
		{Key: "unscored"}}}
	render := func(vs []workable.AttributeValue) string {
		var parts []string
		for _, v := range vs {
			parts = append(parts, v.Key+"="+string(v.Value))
		}
		return strings.Join(parts, " ")
	}
	for _, tc := range []struct {
		name  string
		state core.State
		wb    core.WriteBackConfig
		want  string // rendered values, or the error's text
	}{
		{"status only before a result", core.StateInProgress,
			core.WriteBackConfig{StatusField: on("st"), ScoreField: on("num")}, `st="In progress"`},
		{"a numeric score on Workable's 0-100 scale, components in order", core.StateCompleted,
			core.WriteBackConfig{StatusField: on("st"), ScoreField: on("num"), LabelField: on("lbl"),
				IndicatorFields: map[string]core.FieldMapping{"num": on("txt"), "verbal": on("num"), "unscored": on("st")}},
			`st="Completed" num=67 lbl="Good fit" txt="81.5" num=60`},
		{"the label's mapped value", core.StateCompleted,
			core.WriteBackConfig{LabelField: on("lbl"), LabelValues: map[string]string{"Good fit": "B"}}, `lbl="B"`},
		{"a switched-off mapping writes nothing", core.StateCompleted,
			core.WriteBackConfig{ScoreField: core.FieldMapping{FieldID: "num"}}, ``},
		{"cancelled still shows", core.StateCancelled, core.WriteBackConfig{StatusField: on("txt")}, `txt="Cancelled"`},
		{"a date field cannot hold the status", core.StateInvited, core.WriteBackConfig{StatusField: on("date")},
			`for the status is a date field; it needs a short text or free text field`},
		{"a disabled field", core.StateCompleted, core.WriteBackConfig{ScoreField: on("off")}, `for the score is disabled`},
		{"an unknown field", core.StateCompleted, core.WriteBackConfig{LabelField: on("gone")}, `no custom field "gone" for the label`},
	} {
		got, err := workable.AttributeValuesFor(tc.state, res, tc.wb, attrs)
		if err != nil {
			if !errors.Is(err, workable.ErrField) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: error %v, want ErrField saying %q", tc.name, err, tc.want)
			}
			continue
		}
		if r := render(got); r != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, r, tc.want)
		}
	}
	vs, err := workable.AttributeValuesFor(core.StateCompleted, &core.Result{Label: strings.Repeat("é", 200)}, core.WriteBackConfig{LabelField: on("lbl")}, attrs)
	if err != nil || len(vs) != 1 || len([]rune(strings.Trim(string(vs[0].Value), `"`))) != workable.MaxShortText {
		t.Errorf("a long label in a short text field: %v %v, want it cut to %d characters", vs, err, workable.MaxShortText)
	}
	if p := workable.FieldProblems(core.WriteBackConfig{StatusField: on("num"), ScoreField: on("num"),
		IndicatorFields: map[string]core.FieldMapping{"b": on("date"), "a": on("gone")}}, attrs); len(p) != 3 ||
		!strings.Contains(p[0], "status") || !strings.Contains(p[1], `"gone" for the a score`) || !strings.Contains(p[2], "for the b score is a date") {
		t.Errorf("FieldProblems = %q", p)
	}
}
