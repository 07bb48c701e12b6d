package smartrecruiters_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	sr "switchboard/internal/ats/smartrecruiters"
)

// customerGoldens are applicant review's bodies (wire_customer.go says
// which fields are verified): encoding the value gives the file, decoding
// the file gives the value.
var customerGoldens = []struct {
	file  string
	value any
}{
	{"job_page.json", sr.Page[sr.Job]{Limit: 100, NextPageID: "7f3e0c4a", Content: []sr.Job{{
		ID: "7f3e0c4a", Title: "Senior Go Developer", RefNumber: "REF12", Status: sr.JobSourcing, PostingStatus: "PUBLIC",
		CreatedOn: date("2026-01-05T09:00:00Z"), UpdatedOn: date("2026-02-01T12:30:00Z"),
		Department: &sr.Labeled{ID: "eng", Label: "Engineering"},
		Location:   &sr.Location{City: "Berlin", Country: "DE"},
		Creator:    &sr.UserRef{ID: "u-7", FirstName: "Rita", LastName: "Recruiter"},
	}}}},
	{"candidate_details.json", sr.CandidateDetails{
		Candidate: sr.Candidate{
			ID: "2b7c7d3e", FirstName: "Ann", LastName: "Lee", Email: "ann@example.com",
			CreatedOn: date("2026-02-01T08:00:00Z"), UpdatedOn: date("2026-02-03T10:00:00Z"),
			PrimaryAssignment: &sr.Assignment{Job: sr.AssignmentJob{ID: "7f3e0c4a", Title: "Senior Go Developer"}, Status: sr.CandidateInterview, SubStatus: "Onsite"},
		},
		PhoneNumber: "+15550000001",
		Location:    &sr.Location{City: "Berlin", Country: "DE"},
		Web:         &sr.CandidateWeb{LinkedIn: "https://www.linkedin.com/in/annlee"},
		Tags:        []string{"go", "kubernetes"},
		Experience: []sr.ExperienceEntry{
			{Title: "Senior Go Developer", Company: "Initech", Current: true, StartDate: sr.Month(2022, time.July), Description: "Go and PostgreSQL"},
			{Title: "Backend Engineer", Company: "Globex", StartDate: sr.Month(2019, time.January), EndDate: sr.Month(2022, time.June)},
		},
		Education: []sr.EducationEntry{{Institution: "TU Berlin", Degree: "MSc", Major: "Computer Science", StartDate: sr.Month(2016, time.October), EndDate: sr.Month(2018, time.September)}},
	}},
	{"application.json", sr.Application{
		ApplicationID: "a-1", CandidateID: "2b7c7d3e", JobID: "7f3e0c4a", Status: sr.CandidateInterview, SubStatus: "Onsite",
		ReasonOfRejection: nil, URL: "https://www.smartrecruiters.com/app/people/applications/a-1",
		CreatedOn: date("2026-02-01T08:00:00Z"), UpdatedOn: date("2026-02-03T10:00:00Z"),
	}},
	{"screening_answers.json", sr.ScreeningAnswers{Content: []sr.ScreeningAnswer{
		sr.TextAnswer("q1", "Years of Go?", "6"),
		{ID: "q2", Label: "Languages", Records: []sr.AnswerRecord{
			{Fields: []sr.AnswerField{{ID: "lang", Label: "Language", Values: []sr.Labeled{{ID: "de", Label: "German"}}}, {ID: "level", Values: []sr.Labeled{{ID: "c1"}}}}},
			{Fields: []sr.AnswerField{{ID: "lang", Label: "Language", Values: []sr.Labeled{{ID: "en", Label: "English"}}}}},
		}},
	}}},
	{"status_update.json", sr.StatusUpdate{Status: sr.CandidateOffered, SubStatus: "Verbal"}},
	{"subscription_request.json", sr.SubscriptionRequest{CallbackURL: "https://switchboard.example/hooks/sr/abc", Events: []string{sr.EventCandidateDeleted}}},
	{"subscription.json", sr.Subscription{ID: "u83it9o93y75j645", CallbackURL: "https://switchboard.example/hooks/sr/abc",
		Events: []sr.Event{{Name: sr.EventCandidateDeleted, Version: "1"}}, Status: sr.SubscriptionInactive}},
	{"secret_key.json", sr.SecretKey{SecretKey: "HeBVky2bccvvkcXPimH8c"}},
}

// The golden encode and decode tests (wire_test.go) check these too.
func init() { goldens = append(goldens, customerGoldens...) }

func TestCustomerLenientDecoding(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in string
		into     any
		want     any
	}{
		{"profile date as a day", `"2019-03-15"`, new(sr.ProfileDate), sr.Month(2019, time.March)},
		{"profile date as a date-time", `"2019-03-15T10:00:00Z"`, new(sr.ProfileDate), sr.Month(2019, time.March)},
		{"profile date null", `null`, new(sr.ProfileDate), sr.ProfileDate{}},
		{"event as a string", `"job.created"`, new(sr.Event), sr.Event{Name: "job.created"}},
		{"subscription list events as strings", `{"id":"s","events":["candidate.deleted"],"status":"active"}`, new(sr.Subscription),
			sr.Subscription{ID: "s", Events: []sr.Event{{Name: "candidate.deleted"}}, Status: "active"}},
		{"payload id as a number", `{"id":42}`, new(sr.WebhookPayload), sr.WebhookPayload{ID: "42"}},
		{"unknown fields", `{"applicationId":"a","source":{"type":"x"},"actions":{}}`, new(sr.Application), sr.Application{ApplicationID: "a"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := json.Unmarshal([]byte(tc.in), tc.into); err != nil {
				t.Fatal(err)
			}
			if got := reflect.ValueOf(tc.into).Elem().Interface(); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %#v, want %#v", got, tc.want)
			}
		})
	}
	for _, bad := range []string{`"March 2019"`, `2019`, `"2019-13"`} {
		var d sr.ProfileDate
		if err := json.Unmarshal([]byte(bad), &d); err == nil {
			t.Errorf("%s decoded to %v", bad, d)
		}
	}
}

func TestFormatUpdatedAfter(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 4, 11, 30, 5, 123456789, time.FixedZone("CET", 3600))
	if got, want := sr.FormatUpdatedAfter(at), "2026-03-04T10:30:05.123+00:00"; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

// FuzzCustomerWire decodes arbitrary bytes as each customer and webhook
// body: no panic, and what decodes encodes to something that decodes to
// the same value.
func FuzzCustomerWire(f *testing.F) {
	for _, g := range customerGoldens {
		b, err := os.ReadFile(filepath.Join("testdata", g.file))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"experience":[{"startDate":"2019-02","endDate":null}],"id":7}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, g := range customerGoldens {
			ptr := reflect.New(reflect.TypeOf(g.value))
			if json.Unmarshal(b, ptr.Interface()) != nil {
				continue
			}
			enc, err := json.Marshal(ptr.Interface())
			if err != nil {
				t.Fatalf("%T: re-encode: %v", g.value, err)
			}
			again := reflect.New(reflect.TypeOf(g.value))
			if err := json.Unmarshal(enc, again.Interface()); err != nil {
				t.Fatalf("%T: decode own encoding %s: %v", g.value, enc, err)
			}
			enc2, _ := json.Marshal(again.Interface())
			if !bytes.Equal(enc, enc2) {
				t.Fatalf("%T: unstable encoding\n%s\n%s", g.value, enc, enc2)
			}
		}
	})
}
