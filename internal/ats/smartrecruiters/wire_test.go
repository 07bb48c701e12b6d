package smartrecruiters_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	sr "switchboard/internal/ats/smartrecruiters"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func date(s string) sr.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return sr.At(t)
}

// goldens are the verified bodies: encoding the value must give the file
// byte for byte, and decoding the file must give the value.
var goldens = []struct {
	file  string
	value any
}{
	{"partner_configuration_request.json", sr.PartnerConfigurationRequest{
		ConsentURL:                      "https://hub.example.com/sr/integration",
		ConsentDisplayMode:              sr.ConsentRedirect,
		AssessmentPackageListURL:        "https://hub.example.com/sr/packages",
		SingleAssessmentPackageURL:      "https://hub.example.com/sr/packages/{assessmentPackageId}",
		PackageOrderURL:                 "https://hub.example.com/sr/packages/orders",
		InlineAssessmentPackageOrderURL: "https://hub.example.com/sr/packages/inline/orders",
		OAuthTokenURL:                   "https://hub.example.com/sr/oauth/token",
		IntegrationDisableURL:           "https://hub.example.com/sr/integrations/companies/{companyId}",
		Fields:                          []sr.Field{{ID: "region", Name: "Region", Description: "Testing region"}},
		SupportedAssessmentTypes:        []sr.AssessmentType{sr.TypeSkillTest, sr.TypeInlineAssessment},
	}},
	{"partner_configuration.json", sr.PartnerConfiguration{
		ConsentURL:                 "https://hub.example.com/sr/integration",
		ConsentDisplayMode:         sr.ConsentPopup,
		AssessmentPackageListURL:   "https://hub.example.com/sr/packages",
		SingleAssessmentPackageURL: "https://hub.example.com/sr/packages/{assessmentPackageId}",
		OAuthTokenURL:              "https://hub.example.com/sr/oauth/token",
		Fields:                     []sr.FieldView{{ID: "region", Name: "Region"}},
		SupportedAssessmentTypes:   []sr.AssessmentType{sr.TypeBehavioralAssessment},
	}},
	{"client_credentials.json", sr.ClientCredentials{ClientID: "hub-sr-acme-7f3a", ClientSecret: "s3cr3t-minted-by-hub"}},
	{"access_token.json", sr.AccessToken{AccessToken: "eyJhbGciOi", TokenType: "Bearer", ExpiresIn: 3600}},
	{"token_error.json", sr.TokenErrorResponse{Error: sr.TokenErrInvalidClient, ErrorDescription: "Bad client credentials"}},
	{"packages.json", sr.AssessmentPackages{{
		ID: "pkg-go-senior", Name: "Senior Go", Description: "Go coding + system design", Type: sr.TypeSkillTest,
		Assessments: []sr.Assessment{{ID: "t-go-1", Name: "Go coding", Description: "90 min coding", Type: sr.TypeSkillTest}},
	}}},
	{"order_request.json", sr.AssessmentPackageOrderRequest{
		ResultCallbackURL:   "https://api.smartrecruiters.com/assessment-api/v202010/orders/3f2c9a1e-0000-4000-8000-000000000001/results",
		AssessmentPackageID: "pkg-go-senior",
		CompanyID:           "acme-co",
		JobID:               "9b1f0000-0000-4000-8000-00000000abcd",
		Job:                 sr.OrderJob{ID: "9b1f0000-0000-4000-8000-00000000abcd", Title: "Senior Go Engineer"},
		Candidate:           sr.OrderCandidate{ID: "c-123", Email: "ann@example.com", FirstName: "Ann", LastName: "Lee", ApplicationLanguage: "en"},
		Requester:           &sr.OrderRequester{UserID: "u-77", Email: "recruiter@acme.example"},
		Fields:              sr.FieldValues{"region": "EU"},
	}},
	{"inline_order_request.json", sr.InlineAssessmentPackageOrderRequest{
		ResultCallbackURL:              "https://api.smartrecruiters.com/assessment-api/v202010/orders/6a1d3c55-0000-4000-8000-000000000002/results",
		AssessmentPackageID:            "pkg-inline-1",
		CompanyID:                      "acme-co",
		JobID:                          "9b1f0000-0000-4000-8000-00000000abcd",
		Job:                            sr.InlineJob{ID: "9b1f0000-0000-4000-8000-00000000abcd"},
		Candidate:                      sr.InlineCandidate{Email: "ann@example.com", FirstName: "Ann", LastName: "Lee", ApplicationLanguage: "en"},
		CompletedAssessmentCallbackURL: "https://jobs.smartrecruiters.com/oneclick-ui/company/acme-co/job/9b1f/publication/5678",
	}},
	{"inline_order_response.json", sr.NewInlineResponse("https://hub.example.com/take/abc123")},
	{"order_accepted.json", sr.OrderAccepted{}},
	{"package_result_pending.json", sr.PackageResult{Status: sr.StatusPending, AssessmentPackageDate: date("2025-03-01T10:00:00Z")}},
	{"package_result_completed.json", sr.PackageResult{
		Status:                sr.StatusCompleted,
		AssessmentPackageDate: date("2025-03-01T10:00:00Z"),
		SubmissionDate:        date("2025-03-02T15:30:00Z"),
		Score:                 &sr.Score{Raw: 82, Min: 0, Max: 100},
		ScoreLabel:            "Great fit",
		Summary:               "Great fit (82/100). Strongest: Go coding (90). Weakest: Design (70).",
		Attachments: []sr.Attachment{
			{Type: sr.AttachmentPDFURL, URL: "https://hub.example.com/r/abc/report.pdf"},
			{Type: sr.AttachmentOtherURL, URL: "https://hub.example.com/r/abc"},
		},
		AssessmentResults: []sr.AssessmentResult{{
			AssessmentID: "t-go-1", AssessmentName: "Go coding", Status: sr.StatusCompleted,
			Score: &sr.Score{Raw: 90, Min: 0, Max: 100}, ScoreLabel: "Great fit",
		}},
	}},
	{"attachment_result.json", sr.AttachmentResult{URL: "https://api.smartrecruiters.com/attachments/a1"}},
	{"error_response.json", sr.NewErrorResponse(sr.CodeNotFound, "Order with given id does not exist")},
	{"properties.json", []sr.PropertyValue{
		sr.TextProperty("5a3a-score", "82"),
		sr.SelectProperty("5a3a-label", "f6fe768f-b5e6-4794-9938-c2f42ab0a572"),
		{ID: "5a3a-reset"},
	}},
	{"candidates_page.json", sr.Page[sr.Candidate]{Limit: 1, NextPageID: "5fc4c5aa357d700efe2215ab", Content: []sr.Candidate{{
		ID: "e63dfcab", FirstName: "Mark", LastName: "Hunt", Email: "mark@example.com",
		CreatedOn:         date("2025-03-01T10:00:00Z"),
		PrimaryAssignment: &sr.Assignment{Job: sr.AssignmentJob{ID: "9b1f", Title: "Senior Go Engineer"}, Status: sr.CandidateInReview},
	}}}},
}

func TestGoldenEncode(t *testing.T) {
	t.Parallel()
	for _, g := range goldens {
		t.Run(g.file, func(t *testing.T) {
			t.Parallel()
			got, err := json.MarshalIndent(g.value, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", g.file)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("encoding differs from %s:\n got: %s\nwant: %s", path, got, want)
			}
		})
	}
}

func TestGoldenDecode(t *testing.T) {
	t.Parallel()
	for _, g := range goldens {
		t.Run(g.file, func(t *testing.T) {
			t.Parallel()
			b, err := os.ReadFile(filepath.Join("testdata", g.file))
			if err != nil {
				t.Fatal(err)
			}
			ptr := reflect.New(reflect.TypeOf(g.value))
			if err := json.Unmarshal(b, ptr.Interface()); err != nil {
				t.Fatal(err)
			}
			if got := ptr.Elem().Interface(); !reflect.DeepEqual(got, g.value) {
				t.Errorf("decoded %s to\n%#v\nwant\n%#v", g.file, got, g.value)
			}
		})
	}
}

func TestTokenInputForm(t *testing.T) {
	t.Parallel()
	in := sr.NewTokenInput(sr.ClientCredentials{ClientID: "cid", ClientSecret: "s e/cret"})
	if got, want := in.Form().Encode(), "client_id=cid&client_secret=s+e%2Fcret&grant_type=client_credentials"; got != want {
		t.Errorf("form = %s, want %s", got, want)
	}
	back, err := sr.ParseTokenInput(in.Form(), "", "")
	if err != nil || back != in {
		t.Errorf("ParseTokenInput = %+v, %v", back, err)
	}
}

func TestParseTokenInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		form        url.Values
		basic       [2]string
		wantID      string
		wantErr     bool
		unsupported bool
	}{
		{"form", url.Values{"grant_type": {"client_credentials"}, "client_id": {"a"}, "client_secret": {"b"}}, [2]string{}, "a", false, false},
		{"basic", url.Values{"grant_type": {"client_credentials"}}, [2]string{"a", "b"}, "a", false, false},
		{"no grant", url.Values{"client_id": {"a"}, "client_secret": {"b"}}, [2]string{}, "", true, false},
		{"password grant", url.Values{"grant_type": {"password"}, "client_id": {"a"}, "client_secret": {"b"}}, [2]string{}, "", true, true},
		{"no secret", url.Values{"grant_type": {"client_credentials"}, "client_id": {"a"}}, [2]string{}, "", true, false},
	}
	for _, tc := range tests {
		got, err := sr.ParseTokenInput(tc.form, tc.basic[0], tc.basic[1])
		if (err != nil) != tc.wantErr || got.ClientID != tc.wantID {
			t.Errorf("%s: got %+v, %v", tc.name, got, err)
		}
		if errors.Is(err, sr.ErrUnsupportedGrant) != tc.unsupported {
			t.Errorf("%s: unsupported grant = %v", tc.name, errors.Is(err, sr.ErrUnsupportedGrant))
		}
	}
}

func TestSecretsNeverFormatted(t *testing.T) {
	t.Parallel()
	const secret = "very-secret-value"
	for _, v := range []any{
		sr.ClientCredentials{ClientID: "id", ClientSecret: secret},
		sr.NewTokenInput(sr.ClientCredentials{ClientID: "id", ClientSecret: secret}),
		sr.AccessToken{AccessToken: secret, ExpiresIn: 5},
	} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			if s := fmt.Sprintf(verb, v); strings.Contains(s, secret) {
				t.Errorf("%s of %T shows the secret: %s", verb, v, s)
			}
		}
	}
}

func TestLenientDecoding(t *testing.T) {
	t.Parallel()
	var r sr.PackageResult
	body := `{"status":"COMPLETED","score":{"raw":"82","min":0.0,"max":"100"},"unknown":{"x":[1]},
		"assessmentPackageDate":"2013-03-07T13:34:40.137+0000","submissionDate":null,
		"assessmentResults":[{"assessmentId":17,"score":{"raw":40.6,"min":"","max":50}}]}`
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatal(err)
	}
	if *r.Score != (sr.Score{Raw: 82, Min: 0, Max: 100}) {
		t.Errorf("score = %+v", *r.Score)
	}
	if want := time.Date(2013, 3, 7, 13, 34, 40, 137e6, time.UTC); !r.AssessmentPackageDate.Equal(want) {
		t.Errorf("assessmentPackageDate = %v", r.AssessmentPackageDate)
	}
	if !r.SubmissionDate.IsZero() {
		t.Errorf("submissionDate = %v", r.SubmissionDate)
	}
	ar := r.AssessmentResults[0]
	if ar.AssessmentID != "17" || *ar.Score != (sr.Score{Raw: 41, Min: 0, Max: 50}) {
		t.Errorf("assessment result = %+v %+v", ar, *ar.Score)
	}

	for _, bad := range []string{
		`{"score":{"raw":"eighty","min":0,"max":100}}`,
		`{"score":{"raw":1e300,"min":0,"max":100}}`,
		`{"submissionDate":"yesterday"}`,
		`{"assessmentResults":[{"assessmentId":{"x":1}}]}`,
	} {
		var r sr.PackageResult
		if err := json.Unmarshal([]byte(bad), &r); err == nil {
			t.Errorf("%s decoded without error: %+v", bad, r)
		}
	}
}

func TestFieldValuesScalars(t *testing.T) {
	t.Parallel()
	var f sr.FieldValues
	if err := json.Unmarshal([]byte(`{"a":"x","b":2,"c":true,"d":null}`), &f); err != nil {
		t.Fatal(err)
	}
	if want := (sr.FieldValues{"a": "x", "b": "2", "c": "true", "d": ""}); !reflect.DeepEqual(f, want) {
		t.Errorf("fields = %v", f)
	}
	if err := json.Unmarshal([]byte(`{}`), &f); err != nil || f != nil {
		t.Errorf("empty object = %v, %v; want nil", f, err)
	}
	if err := json.Unmarshal([]byte(`{"a":[1]}`), &f); err == nil {
		t.Error("array value accepted")
	}
}

func TestDecodeOrder(t *testing.T) {
	t.Parallel()
	const cb = `"resultCallbackURL":"https://api.smartrecruiters.com/assessment-api/v202010/orders/o-1/results"`
	tests := []struct {
		name      string
		body      string
		wantErr   bool
		triggered bool
		jobID     string
	}{
		{"ad hoc", `{` + cb + `,"assessmentPackageId":"p","companyId":"c","jobId":"j","job":{"id":"j"},"candidate":{"id":"k","email":"a@x"},"requester":{"userId":"u","email":"r@x"}}`, false, false, "j"},
		{"triggered, numeric ids, unknown fields", `{` + cb + `,"assessmentPackageId":12,"companyId":7,"job":{"id":"j","refNumber":"R"},"candidate":{"id":3,"internal":false,"tags":[]},"extra":1}`, false, true, "j"},
		{"deprecated jobId only", `{` + cb + `,"assessmentPackageId":"p","companyId":"c","jobId":"old","candidate":{"email":"a@x"}}`, false, true, "old"},
		{"no package", `{` + cb + `,"companyId":"c","job":{"id":"j"},"candidate":{"id":"k"}}`, true, false, ""},
		{"no job", `{` + cb + `,"assessmentPackageId":"p","companyId":"c","candidate":{"id":"k"}}`, true, false, ""},
		{"no candidate", `{` + cb + `,"assessmentPackageId":"p","companyId":"c","job":{"id":"j"}}`, true, false, ""},
		{"callback without order id", `{"resultCallbackURL":"https://api.smartrecruiters.com/x","assessmentPackageId":"p","companyId":"c","job":{"id":"j"},"candidate":{"id":"k"}}`, true, false, ""},
		{"relative callback", `{"resultCallbackURL":"/orders/1/results","assessmentPackageId":"p","companyId":"c","job":{"id":"j"},"candidate":{"id":"k"}}`, true, false, ""},
		{"not an object", `[]`, true, false, ""},
		{"trailing data", `{` + cb + `,"assessmentPackageId":"p","companyId":"c","job":{"id":"j"},"candidate":{"id":"k"}} x`, true, false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o, err := sr.DecodeOrder([]byte(tc.body))
			if tc.wantErr {
				if !errors.Is(err, sr.ErrInvalidOrder) {
					t.Fatalf("err = %v, want ErrInvalidOrder", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			id, _ := o.OrderID()
			if id != "o-1" || o.EffectiveJobID() != tc.jobID || o.Triggered() != tc.triggered {
				t.Errorf("order id %q, job %q, triggered %v", id, o.EffectiveJobID(), o.Triggered())
			}
		})
	}
}

func TestDecodeInlineOrder(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("testdata/inline_order_request.json")
	if err != nil {
		t.Fatal(err)
	}
	o, err := sr.DecodeInlineOrder(b)
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := o.OrderID(); id != "6a1d3c55-0000-4000-8000-000000000002" {
		t.Errorf("order id = %q", id)
	}
	for _, bad := range []string{
		strings.Replace(string(b), `"completedAssessmentCallbackUrl": "https://jobs.smartrecruiters.com/oneclick-ui/company/acme-co/job/9b1f/publication/5678"`, `"completedAssessmentCallbackUrl": "javascript:alert(1)"`, 1),
		strings.Replace(string(b), `"email": "ann@example.com",`, ``, 1),
	} {
		if bad == string(b) {
			t.Fatal("replacement did not apply")
		}
		if _, err := sr.DecodeInlineOrder([]byte(bad)); !errors.Is(err, sr.ErrInvalidOrder) {
			t.Errorf("err = %v, want ErrInvalidOrder for %s", err, bad)
		}
	}
}

func TestOrderIDFromResultURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
	}{
		{"https://api.smartrecruiters.com/assessment-api/v202010/orders/3f2c/results", "3f2c"},
		{"https://api.smartrecruiters.com/assessment-api/v202010/orders/3f2c/results/", "3f2c"},
		{"http://127.0.0.1:8080/assessment-api/v202010/orders/a%20b/results?x=1", "a b"},
		{"https://x/orders//results", ""},
		{"https://x/orders/a%2Fb/results", ""},
		{"https://x/orders/1/result", ""},
		{"ftp://x/orders/1/results", ""},
		{"orders/1/results", ""},
		{"", ""},
	}
	for _, tc := range tests {
		got, err := sr.OrderIDFromResultURL(tc.in)
		if got != tc.want || (err == nil) != (tc.want != "") {
			t.Errorf("OrderIDFromResultURL(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestExpandURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ configured, placeholder, id, want string }{
		{"https://h/sr/packages/{assessmentPackageId}", "{assessmentPackageId}", "p 1", "https://h/sr/packages/p%201"},
		{"https://h/sr/packages", "{assessmentPackageId}", "p1", "https://h/sr/packages/p1"},
		{"https://h/sr/packages/?k=v", "{assessmentPackageId}", "p1", "https://h/sr/packages/p1?k=v"},
		{"https://h/sr/integrations/companies/{companyId}", "{companyId}", "acme", "https://h/sr/integrations/companies/acme"},
	}
	for _, tc := range tests {
		if got := sr.ExpandURL(tc.configured, tc.placeholder, tc.id); got != tc.want {
			t.Errorf("ExpandURL(%q, %q) = %q, want %q", tc.configured, tc.id, got, tc.want)
		}
	}
}

func TestPartnerConfigurationValidate(t *testing.T) {
	t.Parallel()
	valid := goldens[0].value.(sr.PartnerConfigurationRequest)
	if err := valid.Validate(); err != nil {
		t.Fatalf("golden configuration invalid: %v", err)
	}
	tests := []struct {
		name   string
		modify func(*sr.PartnerConfigurationRequest)
	}{
		{"no consent URL", func(r *sr.PartnerConfigurationRequest) { r.ConsentURL = "" }},
		{"relative token URL", func(r *sr.PartnerConfigurationRequest) { r.OAuthTokenURL = "/oauth/token" }},
		{"bad display mode", func(r *sr.PartnerConfigurationRequest) { r.ConsentDisplayMode = "TAB" }},
		{"no types", func(r *sr.PartnerConfigurationRequest) { r.SupportedAssessmentTypes = nil }},
		{"unknown type", func(r *sr.PartnerConfigurationRequest) { r.SupportedAssessmentTypes = []sr.AssessmentType{"QUIZ"} }},
		{"six fields", func(r *sr.PartnerConfigurationRequest) {
			r.Fields = make([]sr.Field, 6)
			for i := range r.Fields {
				r.Fields[i] = sr.Field{ID: fmt.Sprint(i), Name: "n", Description: "d"}
			}
		}},
		{"field without description", func(r *sr.PartnerConfigurationRequest) { r.Fields = []sr.Field{{ID: "a", Name: "b"}} }},
	}
	for _, tc := range tests {
		r := valid
		r.Fields = append([]sr.Field(nil), valid.Fields...)
		tc.modify(&r)
		if err := r.Validate(); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
}

func TestPackageResultValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		r    sr.PackageResult
		ok   bool
	}{
		{"empty patch", sr.PackageResult{}, true},
		{"status only", sr.PackageResult{Status: sr.StatusInProgress}, true},
		{"unknown status", sr.PackageResult{Status: "DONE"}, false},
		{"raw above max", sr.PackageResult{Score: &sr.Score{Raw: 101, Min: 0, Max: 100}}, false},
		{"min above max", sr.PackageResult{Score: &sr.Score{Raw: 5, Min: 10, Max: 0}}, false},
		{"bad attachment", sr.PackageResult{Attachments: []sr.Attachment{{Type: "DOC", URL: "https://x"}}}, false},
		{"relative attachment", sr.PackageResult{Attachments: []sr.Attachment{{Type: sr.AttachmentPDFURL, URL: "/r.pdf"}}}, false},
		{"result without id", sr.PackageResult{AssessmentResults: []sr.AssessmentResult{{Summary: "x"}}}, false},
	}
	for _, tc := range tests {
		if err := tc.r.Validate(); (err == nil) != tc.ok {
			t.Errorf("%s: Validate = %v", tc.name, err)
		}
	}
}
