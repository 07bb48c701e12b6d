package greenhouse_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"switchboard/internal/ats/greenhouse"
)

// FuzzDecodeSendTest: whatever Greenhouse sends, an accepted body has what
// send_test requires, and reads the same after encoding it again (nothing
// is guessed or lost between the wire and the order).
func FuzzDecodeSendTest(f *testing.F) {
	f.Add([]byte(`{"partner_test_id":"12345","candidate":{"first_name":"Harry","last_name":"Potter","preferred_name":null,"email":"h@p.example","greenhouse_profile_url":"https://app.greenhouse.io/people/1?application_id=2"},"sent_by":null,"url":"https://app.greenhouse.io/integrations/testing_partners/take_home_tests/1"}`))
	f.Add([]byte(`{"partner_test_id":1,"candidate":{},"url":""}`))
	f.Add([]byte(`{"partner_test_id":"1","candidate":{"email":"a"},"url":"u"}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := greenhouse.DecodeSendTest(b)
		if err != nil {
			return
		}
		if strings.TrimSpace(st.PartnerTestID) == "" || strings.TrimSpace(st.Candidate.Email) == "" || strings.TrimSpace(st.URL) == "" {
			t.Fatalf("accepted without a required field: %+v", st)
		}
		again, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		st2, err := greenhouse.DecodeSendTest(again)
		if err != nil || !reflect.DeepEqual(st, st2) {
			t.Fatalf("re-encoded %s reads as %+v (%v), want %+v", again, st2, err, st)
		}
		e := greenhouse.OrderEvent(st)
		if e.IdempotencyKey != "greenhouse:"+st.URL || e.PackageID != st.PartnerTestID || e.CallbackURL != st.URL || e.Candidate.ExternalID == "" {
			t.Fatalf("event %+v of %+v", e, st)
		}
	})
}

// FuzzDecodeResponseError: an accepted complaint names its call, and reads
// the same after encoding it again.
func FuzzDecodeResponseError(f *testing.F) {
	f.Add([]byte(`{"api_call":"test_status","errors":["bad"],"partner_interview_id":"ord_1","candidate_email":null}`))
	f.Add([]byte(`{"api_call":"","errors":[1]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		re, err := greenhouse.DecodeResponseError(b)
		if err != nil {
			return
		}
		if strings.TrimSpace(re.APICall) == "" {
			t.Fatalf("accepted without api_call: %+v", re)
		}
		again, _ := json.Marshal(re)
		re2, err := greenhouse.DecodeResponseError(again)
		if re.Errors == nil {
			re.Errors = re2.Errors // null and absent are alike
		}
		if err != nil || !reflect.DeepEqual(re, re2) {
			t.Fatalf("re-encoded %s reads as %+v (%v), want %+v", again, re2, err, re)
		}
		if c := greenhouse.ComplaintFor(re); c.Call != re.APICall || c.OrderID != re.PartnerInterviewID || len(c.Errors) < len(re.Errors) {
			t.Fatalf("complaint %+v of %+v", c, re)
		}
	})
}

// FuzzCheckTestStatus: an answer Greenhouse takes is one it can show — a
// status, a link when complete, primitives in the metadata — and what it
// read of it, encoded again, is taken and read the same.
func FuzzCheckTestStatus(f *testing.F) {
	f.Add([]byte(`{"partner_status":"complete","partner_profile_url":"http://example.com/tests/12345","partner_score":81,"metadata":{"Notes":"x","n":1,"b":true,"z":null}}`))
	f.Add([]byte(`{"partner_status":"complete","partner_score":"81"}`))
	f.Add([]byte(`{"partner_status":"sent","metadata":{"a":[1]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ts, problems := greenhouse.CheckTestStatus(b)
		if len(problems) > 0 {
			return
		}
		if ts.PartnerStatus == "" || (ts.PartnerStatus == greenhouse.StatusComplete && ts.PartnerProfileURL == nil) {
			t.Fatalf("taken: %+v", ts)
		}
		for k, v := range ts.Metadata {
			switch v.(type) {
			case nil, string, float64, bool:
			default:
				t.Fatalf("metadata %q is %T", k, v)
			}
		}
		again, err := json.Marshal(ts)
		if err != nil {
			t.Fatal(err)
		}
		ts2, problems := greenhouse.CheckTestStatus(again)
		if len(ts.Metadata) == 0 {
			ts.Metadata, ts2.Metadata = nil, nil // an empty object is omitted
		}
		if len(problems) > 0 || !reflect.DeepEqual(ts, ts2) {
			t.Fatalf("re-encoded %s: %q, reads as %+v, want %+v", again, problems, ts2, ts)
		}
	})
}

// FuzzCheckTests: every test Greenhouse takes from list_tests has a
// String id and name, and a list it takes whole has one test per entry.
func FuzzCheckTests(f *testing.F) {
	f.Add([]byte(`[{"partner_test_id":"1","partner_test_name":"Logic"}]`))
	f.Add([]byte(`[{"partner_test_id":1,"partner_test_name":"Logic"},null]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		tests, problems := greenhouse.CheckTests(b)
		for _, tt := range tests {
			if tt.PartnerTestID == "" || tt.PartnerTestName == "" {
				t.Fatalf("taken: %+v", tt)
			}
		}
		if len(problems) > 0 {
			return
		}
		var raw []json.RawMessage
		if err := json.Unmarshal(b, &raw); err != nil || len(raw) != len(tests) {
			t.Fatalf("%d tests of %d entries (%v)", len(tests), len(raw), err)
		}
	})
}
