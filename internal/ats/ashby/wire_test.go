package ashby_test

import (
	"encoding/json"
	"strings"
	"testing"

	"switchboard/internal/ats/ashby"
)

const validStart = `{"assessment_type_id":"vac_1","candidate":{"ashby_id":"c1","first_name":"Ada","last_name":"Byron","email":"ada@example.com","ashby_profile_url":"https://app.ashbyhq.com/candidates/c1"},"application":{"ashby_id":"a1","status":"Active"},"job":{"ashby_id":"j1","name":"Engineer","req_id":"R1","ashby_job_url":"https://app.ashbyhq.com/jobs/j1","hiringTeam":[{"email":"r@example.com","role":"Recruiter"}]}}`

func TestDecodeStart(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body, wantErr string
	}{
		{"valid", validStart, ""},
		{"unknown field", strings.Replace(validStart, `"assessment_type_id"`, `"typo":1,"assessment_type_id"`, 1), `unknown field "typo"`},
		{"no email", strings.Replace(validStart, `"ada@example.com"`, `""`, 1), "candidate.email"},
		{"no type", strings.Replace(validStart, `"vac_1"`, `" "`, 1), "assessment_type_id"},
		{"bad status", strings.Replace(validStart, `"Active"`, `"Open"`, 1), `application.status "Open" is none of`},
		{"not JSON", `{"assessment_type_id":`, "not valid JSON"},
		{"two values", validStart + `{}`, "more than one JSON value"},
		{"number for id", strings.Replace(validStart, `"vac_1"`, `1`, 1), "assessment_type_id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := ashby.DecodeStart([]byte(tc.body))
			if tc.wantErr == "" {
				if err != nil || s.Candidate.Email != "ada@example.com" || s.Job.ReqID != "R1" || len(s.Job.HiringTeam) != 1 {
					t.Fatalf("%+v %v", s, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestDecodeCancel(t *testing.T) {
	t.Parallel()
	if c, err := ashby.DecodeCancel([]byte(`{"assessment_id":"a1:vac_1"}`)); err != nil || c.AssessmentID != "a1:vac_1" {
		t.Fatalf("%+v %v", c, err)
	}
	for _, body := range []string{`{}`, `{"assessment_id":""}`, `{"assessment_id":"x","y":1}`, ``} {
		if _, err := ashby.DecodeCancel([]byte(body)); err == nil {
			t.Errorf("%q decoded", body)
		}
	}
}

func TestUpdateCheck(t *testing.T) {
	t.Parallel()
	status := &ashby.Value{Identifier: "status", Label: "Status", Type: ashby.TypeString, Value: "Started"}
	url := &ashby.Value{Identifier: "p", Label: "Report", Type: ashby.TypeURL, Value: "https://x.example/r"}
	result := &ashby.Value{Identifier: "score", Label: "Score", Type: ashby.TypeNumericScore, Value: 80.0}
	cases := []struct {
		name    string
		u       ashby.UpdateRequest
		wantErr string
	}{
		{"status", ashby.UpdateRequest{AssessmentID: "a", Timestamp: 1, AssessmentStatus: status}, ""},
		{"cancel without status", ashby.UpdateRequest{AssessmentID: "a", Timestamp: 1, CancelledReason: &ashby.Value{Identifier: "r", Label: "Reason", Type: ashby.TypeString, Value: "x"}}, ""},
		{"result", ashby.UpdateRequest{AssessmentID: "a", Timestamp: 1, AssessmentStatus: status, AssessmentProfileURL: url, AssessmentResult: result}, ""},
		{"no id", ashby.UpdateRequest{Timestamp: 1, AssessmentStatus: status}, "assessment_id"},
		{"no timestamp", ashby.UpdateRequest{AssessmentID: "a", AssessmentStatus: status}, "timestamp"},
		{"no status", ashby.UpdateRequest{AssessmentID: "a", Timestamp: 1}, "assessment_status is required"},
		{"result without profile", ashby.UpdateRequest{AssessmentID: "a", Timestamp: 1, AssessmentStatus: status, AssessmentResult: result}, "assessment_profile_url is required"},
		{"profile not a url", ashby.UpdateRequest{AssessmentID: "a", Timestamp: 1, AssessmentStatus: status, AssessmentProfileURL: status, AssessmentResult: result}, "type must be url"},
		{"bad type", ashby.UpdateRequest{AssessmentID: "a", Timestamp: 1, AssessmentStatus: &ashby.Value{Identifier: "s", Label: "S", Type: "percent", Value: 1}}, `type "percent" is none of`},
		{"no label", ashby.UpdateRequest{AssessmentID: "a", Timestamp: 1, AssessmentStatus: &ashby.Value{Identifier: "s", Type: ashby.TypeString, Value: "x"}}, "label is required"},
		{"no value", ashby.UpdateRequest{AssessmentID: "a", Timestamp: 1, AssessmentStatus: &ashby.Value{Identifier: "s", Label: "S", Type: ashby.TypeString}}, "value is required"},
		{"object value", ashby.UpdateRequest{AssessmentID: "a", Timestamp: 1, AssessmentStatus: status, Metadata: []ashby.Value{{Identifier: "m", Label: "M", Type: ashby.TypeString, Value: map[string]any{}}}}, "metadata[0]: value must be"},
		{"duplicate metadata", ashby.UpdateRequest{AssessmentID: "a", Timestamp: 1, AssessmentStatus: status, Metadata: []ashby.Value{*status, *status}}, "used twice"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.u.Check()
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				// What passes Check also passes the simulator's decoding.
				b, _ := json.Marshal(tc.u)
				if _, err := ashby.DecodeUpdate(b); err != nil {
					t.Fatalf("DecodeUpdate of a checked update: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestCanWriteCandidates(t *testing.T) {
	t.Parallel()
	for scopes, want := range map[string]bool{"candidatesWrite": true, "candidates:write": true, "candidates:read": false, "": false} {
		if got := (ashby.APIKeyInfo{Scopes: strings.Fields(scopes)}).CanWriteCandidates(); got != want {
			t.Errorf("%q: %v, want %v", scopes, got, want)
		}
	}
}
