package smartrecruiters_test

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"testing"
	"time"

	"switchboard/internal/ats"
	sr "switchboard/internal/ats/smartrecruiters"
	"switchboard/internal/core"
)

func TestStatusFor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		state core.State
		want  sr.Status
		ok    bool
	}{
		{core.StateReceived, sr.StatusPending, true},
		{core.StateInvited, sr.StatusPending, true},
		{core.StateInProgress, sr.StatusInProgress, true},
		{core.StateCompleted, sr.StatusCompleted, true},
		{core.StateExpired, sr.StatusExpired, true},
		{core.StateRejected, sr.StatusRejected, true},
		{core.StateCancelled, "", false},
		{core.State("bogus"), "", false},
	}
	for _, tc := range tests {
		got, ok := sr.StatusFor(tc.state)
		if got != tc.want || ok != tc.ok {
			t.Errorf("StatusFor(%s) = %q, %v; want %q, %v", tc.state, got, ok, tc.want, tc.ok)
		}
	}
	// Every state is covered by the table above.
	if len(tests)-1 != len(core.States) {
		t.Errorf("table covers %d states, core has %d", len(tests)-1, len(core.States))
	}
}

// outcome is a result as the built-in engine maps its outcome.
func outcome() core.Result {
	return core.Result{
		Score: pct(82), Label: "Great fit",
		Components: []core.Component{
			{Key: "t-go-1", Name: "Go coding", Score: pct(90), Label: "Great fit"},
			{Key: "design", Name: "Design", Score: pct(70), Label: "Good fit"},
		},
		Summary: "Great fit (82/100). Strongest: Go coding (90). Weakest: Design (70).",
	}
}

func pct(v float64) *core.Score { return &core.Score{Value: v, Max: 100} }

func TestResultFor(t *testing.T) {
	t.Parallel()
	sent := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	submitted := time.Date(2025, 3, 2, 15, 30, 0, 0, time.UTC)
	tests := []struct {
		name    string
		details sr.ResultDetails
		want    string
	}{
		{
			name:    "links and dates",
			details: sr.ResultDetails{ResultURL: "https://hub.example.com/r/abc", PDFURL: "https://hub.example.com/r/abc/report.pdf", SentAt: sent, SubmittedAt: submitted},
			want: `{"status":"COMPLETED","assessmentPackageDate":"2025-03-01T10:00:00Z","submissionDate":"2025-03-02T15:30:00Z",
				"score":{"raw":82,"min":0,"max":100},"scoreLabel":"Great fit",
				"summary":"Great fit (82/100). Strongest: Go coding (90). Weakest: Design (70).",
				"attachments":[{"type":"PDF_URL","url":"https://hub.example.com/r/abc/report.pdf"},{"type":"OTHER_URL","url":"https://hub.example.com/r/abc"}],
				"assessmentResults":[
				 {"assessmentId":"t-go-1","assessmentName":"Go coding","status":"COMPLETED","submissionDate":"2025-03-02T15:30:00Z","score":{"raw":90,"min":0,"max":100},"scoreLabel":"Great fit"},
				 {"assessmentId":"design","assessmentName":"Design","status":"COMPLETED","submissionDate":"2025-03-02T15:30:00Z","score":{"raw":70,"min":0,"max":100},"scoreLabel":"Good fit"}]}`,
		},
		{
			name: "no links, no dates",
			want: `{"status":"COMPLETED","score":{"raw":82,"min":0,"max":100},"scoreLabel":"Great fit",
				"summary":"Great fit (82/100). Strongest: Go coding (90). Weakest: Design (70).",
				"assessmentResults":[
				 {"assessmentId":"t-go-1","assessmentName":"Go coding","status":"COMPLETED","score":{"raw":90,"min":0,"max":100},"scoreLabel":"Great fit"},
				 {"assessmentId":"design","assessmentName":"Design","status":"COMPLETED","score":{"raw":70,"min":0,"max":100},"scoreLabel":"Good fit"}]}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := sr.ResultFor(outcome(), tc.details)
			if err := r.Validate(); err != nil {
				t.Fatal(err)
			}
			got, _ := json.Marshal(r)
			assertJSONEqual(t, got, tc.want)
		})
	}
}

func assertJSONEqual(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad want: %v", err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestPropertiesFor(t *testing.T) {
	t.Parallel()
	labels := map[string]string{"Great fit": "v-great", "Good fit": "v-good", "Poor fit": "v-poor"}
	on := func(id string) core.FieldMapping { return core.FieldMapping{Enabled: true, FieldID: id} }
	tests := []struct {
		name    string
		wb      core.WriteBackConfig
		label   string
		want    []sr.PropertyValue
		wantErr error
	}{
		{name: "nothing enabled", wb: core.WriteBackConfig{LabelValues: labels}},
		{
			name: "score, label and indicators",
			wb: core.WriteBackConfig{
				ScoreField: on("f-score"), LabelField: on("f-label"), LabelValues: labels,
				IndicatorFields: map[string]core.FieldMapping{"t-go-1": on("f-go"), "design": on("f-design"), "absent": on("f-x")},
			},
			want: []sr.PropertyValue{
				sr.TextProperty("f-score", "82"), sr.SelectProperty("f-label", "v-great"),
				sr.TextProperty("f-go", "90"), sr.TextProperty("f-design", "70"),
			},
		},
		{
			name:  "label map for Poor fit",
			wb:    core.WriteBackConfig{LabelField: on("f-label"), LabelValues: labels},
			label: "Poor fit",
			want:  []sr.PropertyValue{sr.SelectProperty("f-label", "v-poor")},
		},
		{
			name: "disabled and empty field ids are skipped",
			wb: core.WriteBackConfig{
				ScoreField: core.FieldMapping{Enabled: false, FieldID: "f-score"}, LabelField: core.FieldMapping{Enabled: true},
				IndicatorFields: map[string]core.FieldMapping{"t-go-1": {FieldID: "f-go"}, "design": on("f-design")},
			},
			want: []sr.PropertyValue{sr.TextProperty("f-design", "70")},
		},
		{
			name:    "unmapped label",
			wb:      core.WriteBackConfig{LabelField: on("f-label"), LabelValues: map[string]string{"Great fit": "v-great"}},
			label:   "Good fit",
			wantErr: sr.ErrNoLabelValue,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := outcome()
			if tc.label != "" {
				o.Label = tc.label
			}
			got, err := sr.PropertiesFor(o, tc.wb)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestOrderEvent(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("testdata/order_request.json")
	if err != nil {
		t.Fatal(err)
	}
	o, err := sr.DecodeOrder(b)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := sr.OrderEvent(o)
	if err != nil {
		t.Fatal(err)
	}
	want := ats.Event{
		Kind: ats.EventOrderRequested, Mode: core.ModeAdHoc,
		IdempotencyKey: "smartrecruiters:order:3f2c9a1e-0000-4000-8000-000000000001",
		Candidate:      ats.Candidate{ExternalID: "c-123", Name: "Ann Lee", Email: "ann@example.com"},
		ExternalID:     "3f2c9a1e-0000-4000-8000-000000000001", ExternalJobID: "9b1f0000-0000-4000-8000-00000000abcd",
		PackageID: "pkg-go-senior", CallbackURL: o.ResultCallbackURL,
	}
	if !reflect.DeepEqual(ev, want) {
		t.Errorf("event\n%+v\nwant\n%+v", ev, want)
	}
	o.Requester = nil
	if ev, _ := sr.OrderEvent(o); ev.Mode != core.ModeTriggered {
		t.Errorf("order without requester: mode %s, want triggered", ev.Mode)
	}

	// Candidates without a SmartRecruiters id are told apart by email, so two
	// of them never share one candidate row (and each other's invitations).
	keyFor := func(email string) string {
		o.Candidate.ID, o.Candidate.Email = "", email
		ev, err := sr.OrderEvent(o)
		if err != nil {
			t.Fatal(err)
		}
		return ev.Candidate.ExternalID
	}
	alice, bob, aliceAgain := keyFor("alice@example.com"), keyFor("bob@example.com"), keyFor(" Alice@Example.com")
	if alice == "" || alice == bob || alice != aliceAgain || alice == "alice@example.com" {
		t.Errorf("email-only candidates keyed %q, %q, %q: want distinct per person, stable per email, never a bare email", alice, bob, aliceAgain)
	}
}

func TestInlineOrderEvent(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("testdata/inline_order_request.json")
	if err != nil {
		t.Fatal(err)
	}
	o, err := sr.DecodeInlineOrder(b)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := sr.InlineOrderEvent(o)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Mode != core.ModeInline || ev.ReturnURL != o.CompletedAssessmentCallbackURL || ev.ExternalID != "6a1d3c55-0000-4000-8000-000000000002" ||
		ev.Candidate.Email != "ann@example.com" || ev.Candidate.Name != "Ann Lee" || ev.PackageID != "pkg-inline-1" ||
		ev.IdempotencyKey != sr.IdempotencyKey(ev.ExternalID) {
		t.Errorf("event = %+v", ev)
	}
}

func TestPackageFor(t *testing.T) {
	t.Parallel()
	pkg := []core.PackagePart{{Key: "cog", Name: "Cognitive ability", Description: "Reasoning"}, {Key: "ws", Name: "Work style"}}
	tests := []struct {
		name string
		v    core.Vacancy
		typ  sr.AssessmentType
	}{
		{"plain", core.Vacancy{ID: "v1", Name: "Barista", Parts: pkg}, sr.TypeSkillTest},
		{"inline by name", core.Vacancy{ID: "v2", Name: "Barista (INLINE)", Parts: pkg}, sr.TypeInlineAssessment},
		{"inline by flag", core.Vacancy{ID: "v3", Name: "Apply test", Inline: true, Parts: pkg}, sr.TypeInlineAssessment},
		{"inline inside a word", core.Vacancy{ID: "v4", Name: "Mainline Support", Parts: pkg}, sr.TypeSkillTest},
	}
	for _, tc := range tests {
		p := sr.PackageFor(tc.v)
		if err := p.Validate(); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		if p.Type != tc.typ || string(p.ID) != tc.v.ID || p.Name != tc.v.Name || p.Description != "Cognitive ability, Work style" {
			t.Errorf("%s: package %+v", tc.name, p)
		}
		want := []sr.Assessment{
			{ID: "cog", Name: "Cognitive ability", Description: "Reasoning", Type: tc.typ},
			{ID: "ws", Name: "Work style", Description: "Work style", Type: tc.typ},
		}
		if !reflect.DeepEqual(p.Assessments, want) {
			t.Errorf("%s: assessments %+v", tc.name, p.Assessments)
		}
	}
	empty := sr.PackageFor(core.Vacancy{ID: "v4", Name: "Empty"})
	if err := empty.Validate(); err != nil || empty.Description != "Empty" {
		t.Errorf("empty vacancy: %+v, %v", empty, err)
	}
}

// TestVendorResult maps a result built by hand, as a vendor other than the
// built-in engine would send it: decimals rounded to SmartRecruiters' whole
// numbers, a component without a score, a result URL and link attachments
// by content type, and custom fields only for what the result has; nothing
// here needs the engine.
func TestVendorResult(t *testing.T) {
	t.Parallel()
	submitted := time.Date(2025, 3, 2, 15, 30, 0, 0, time.UTC)
	res := core.Result{
		Value: core.ResultPassed,
		Score: &core.Score{Value: 4.4, Min: 1, Max: 5}, Label: "Clear",
		Summary: "No records found.",
		Components: []core.Component{
			{Key: "crim", Name: "Criminal records", Score: &core.Score{Value: 2.5, Min: 0, Max: 5}, Label: "Clear"},
			{Key: "id", Name: "Identity", Label: "Verified"},
		},
		Attachments: []core.Attachment{
			{Name: "Certificate", ContentType: "application/pdf; charset=binary", URL: "https://vendor.example/c/1.pdf"},
			{Name: "Interview", ContentType: "video/mp4", URL: "https://vendor.example/v/1"},
			{Name: "Transcript", ContentType: "text/plain", URL: "https://vendor.example/t/1"},
			{Name: "Stored", ContentType: "application/pdf", FileID: "file_1"},
		},
		ResultURL: "https://vendor.example/r/1",
	}
	r := sr.ResultFor(res, sr.ResultDetails{ResultURL: "https://hub.example.com/r/abc", SubmittedAt: submitted})
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(r)
	assertJSONEqual(t, got, `{"status":"COMPLETED","submissionDate":"2025-03-02T15:30:00Z",
		"score":{"raw":4,"min":1,"max":5},"scoreLabel":"Clear","summary":"No records found.",
		"attachments":[
		 {"type":"OTHER_URL","url":"https://hub.example.com/r/abc"},
		 {"type":"OTHER_URL","url":"https://vendor.example/r/1"},
		 {"type":"PDF_URL","url":"https://vendor.example/c/1.pdf"},
		 {"type":"VIDEO_URL","url":"https://vendor.example/v/1"},
		 {"type":"OTHER_URL","url":"https://vendor.example/t/1"}],
		"assessmentResults":[
		 {"assessmentId":"crim","assessmentName":"Criminal records","status":"COMPLETED","submissionDate":"2025-03-02T15:30:00Z","score":{"raw":3,"min":0,"max":5},"scoreLabel":"Clear"},
		 {"assessmentId":"id","assessmentName":"Identity","status":"COMPLETED","submissionDate":"2025-03-02T15:30:00Z","scoreLabel":"Verified"}]}`)

	on := func(id string) core.FieldMapping { return core.FieldMapping{Enabled: true, FieldID: id} }
	wb := core.WriteBackConfig{
		ScoreField: on("f-score"), LabelField: on("f-label"), LabelValues: map[string]string{"Clear": "v-clear"},
		IndicatorFields: map[string]core.FieldMapping{"crim": on("f-crim"), "id": on("f-id")},
	}
	props, err := sr.PropertiesFor(res, wb)
	if err != nil {
		t.Fatal(err)
	}
	want := []sr.PropertyValue{sr.TextProperty("f-score", "4.4"), sr.SelectProperty("f-label", "v-clear"), sr.TextProperty("f-crim", "2.5")}
	if !reflect.DeepEqual(props, want) {
		t.Errorf("properties %+v\nwant %+v", props, want)
	}

	// A verdict alone is the label SmartRecruiters shows.
	if r := sr.ResultFor(core.Result{Value: core.ResultFailed}, sr.ResultDetails{}); r.ScoreLabel != "failed" || r.Score != nil {
		t.Errorf("verdict only: score %+v, label %q; want no score and the label %q", r.Score, r.ScoreLabel, "failed")
	}

	// A result with neither score nor label writes no score or label field.
	props, err = sr.PropertiesFor(core.Result{Value: core.ResultFailed}, wb)
	if err != nil || props != nil {
		t.Errorf("bare result: properties %+v, %v; want none", props, err)
	}
}
