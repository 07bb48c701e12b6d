package ashby_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"switchboard/internal/ats/ashby"
)

// FuzzDecodeStart: what decodes has every field Ashby always sends and a
// known application status, and reads back the same after encoding.
func FuzzDecodeStart(f *testing.F) {
	f.Add([]byte(validStart))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"assessment_type_id":"x","candidate":{"ashby_id":"c","email":"e"},"application":{"ashby_id":"a","status":"Lead"},"job":{"ashby_id":"j","name":"n"},"additional_fields":{"k":1}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		s, err := ashby.DecodeStart(body)
		if err != nil {
			return
		}
		for _, v := range []string{s.AssessmentTypeID, s.Candidate.AshbyID, s.Candidate.Email, s.Application.AshbyID, s.Job.AshbyID, s.Job.Name} {
			if strings.TrimSpace(v) == "" {
				t.Fatalf("decoded with a required field empty: %+v", s)
			}
		}
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ashby.DecodeStart(b)
		if err != nil {
			t.Fatalf("re-encoded start does not decode: %v\n%s", err, b)
		}
		if again.AssessmentTypeID != s.AssessmentTypeID || again.Candidate != s.Candidate || again.Application != s.Application || again.Job.AshbyID != s.Job.AshbyID {
			t.Fatalf("round trip changed the start:\n%+v\n%+v", s, again)
		}
	})
}

// FuzzDecodeCancel: what decodes names an assessment, and only that.
func FuzzDecodeCancel(f *testing.F) {
	f.Add([]byte(`{"assessment_id":"a:b"}`))
	f.Add([]byte(`{"assessment_id":""}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := ashby.DecodeCancel(body)
		if err != nil {
			return
		}
		if strings.TrimSpace(c.AssessmentID) == "" {
			t.Fatalf("decoded without an assessment id: %q", body)
		}
		b, _ := json.Marshal(c)
		if again, err := ashby.DecodeCancel(b); err != nil || again != c {
			t.Fatalf("round trip: %+v %v", again, err)
		}
	})
}

// FuzzDecodeUpdate: what the simulator takes passes Check, and reads back
// the same after encoding.
func FuzzDecodeUpdate(f *testing.F) {
	f.Add([]byte(`{"assessment_id":"a","timestamp":1665680638489,"assessment_status":{"identifier":"s","label":"Status","type":"string","value":"Started"}}`))
	f.Add([]byte(`{"assessment_id":"a","timestamp":1,"cancelled_reason":{"identifier":"r","label":"R","type":"string","value":true},"metadata":[{"identifier":"m","label":"M","type":"numeric_score","value":1.5}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		u, err := ashby.DecodeUpdate(body)
		if err != nil {
			return
		}
		if err := u.Check(); err != nil {
			t.Fatalf("decoded but fails Check: %v", err)
		}
		b, err := json.Marshal(u)
		if err != nil {
			t.Fatal(err)
		}
		// An empty metadata list says what an absent one does, and is
		// marshalled as absent (omitempty).
		if len(u.Metadata) == 0 {
			u.Metadata = nil
		}
		again, err := ashby.DecodeUpdate(b)
		if err != nil || !reflect.DeepEqual(again, u) {
			t.Fatalf("round trip:\n%+v\n%+v (%v)", u, again, err)
		}
	})
}

// FuzzDecodeEnvelope: an answer either fails to decode or keeps success
// and errorInfo as they were sent.
func FuzzDecodeEnvelope(f *testing.F) {
	f.Add([]byte(`{"success":false,"errors":["invalid_input"],"errorInfo":{"code":"invalid_input","message":"m","requestId":"r"}}`))
	f.Add([]byte(`{"success":true,"results":{"title":"k","scopes":["candidatesWrite"]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		e, err := ashby.DecodeEnvelope(body)
		if err != nil {
			return
		}
		var raw struct {
			Success   bool             `json:"success"`
			ErrorInfo *ashby.ErrorInfo `json:"errorInfo"`
		}
		if err := json.Unmarshal(body, &raw); err != nil {
			t.Fatalf("DecodeEnvelope took what json does not: %v", err)
		}
		if raw.Success != e.Success || !reflect.DeepEqual(raw.ErrorInfo, e.ErrorInfo) {
			t.Fatalf("envelope %+v, body says %+v", e, raw)
		}
	})
}
