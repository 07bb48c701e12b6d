package smartrecruiters_test

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"testing"

	sr "switchboard/internal/smartrecruiters"
)

// FuzzDecodeOrder feeds arbitrary bodies to the inbound order decoders: they
// never panic, refuse with ErrInvalidOrder, and whatever they accept
// re-encodes to a body that decodes to the same order.
func FuzzDecodeOrder(f *testing.F) {
	for _, file := range []string{"testdata/order_request.json", "testdata/inline_order_request.json"} {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	const cb = `"resultCallbackURL":"https://api.smartrecruiters.com/assessment-api/v202010/orders/o-1/results"`
	for _, seed := range []string{
		`{` + cb + `,"assessmentPackageId":12,"companyId":7e2,"jobId":-0,"candidate":{"id":3},"fields":{"a":1,"b":true,"c":null}}`,
		`{` + cb + `,"assessmentPackageId":"p","companyId":"c","job":{"id":"j"},"candidate":{"email":"\u00e9\ud800"},"requester":{}}`,
		`{` + cb + `,"assessmentPackageId":"p","companyId":"c","job":{"id":"j"},"candidate":{"email":"a@x","firstName":"A","lastName":"B","applicationLanguage":"en"},"completedAssessmentCallbackUrl":"https://x/r"}`,
		`{"resultCallbackURL":"https://x/orders/%2F/results","assessmentPackageId":"p","companyId":"c","job":{"id":"j"},"candidate":{"id":"k"}}`,
		`{"requester":null,"fields":{}}`,
		`null`, `[]`, `{`, `"x"`, ``, "\xff\xfe",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		o, err := sr.DecodeOrder(body)
		if err != nil {
			if !errors.Is(err, sr.ErrInvalidOrder) {
				t.Fatalf("error does not wrap ErrInvalidOrder: %v", err)
			}
		} else {
			roundTrip(t, o, func(b []byte) (any, error) { return sr.DecodeOrder(b) })
			if _, err := sr.OrderEvent(o); err != nil {
				t.Fatalf("accepted order has no event: %v", err)
			}
		}
		io, err := sr.DecodeInlineOrder(body)
		if err != nil {
			if !errors.Is(err, sr.ErrInvalidOrder) {
				t.Fatalf("inline: error does not wrap ErrInvalidOrder: %v", err)
			}
			return
		}
		roundTrip(t, io, func(b []byte) (any, error) { return sr.DecodeInlineOrder(b) })
		if _, err := sr.InlineOrderEvent(io); err != nil {
			t.Fatalf("accepted inline order has no event: %v", err)
		}
	})
}

func roundTrip(t *testing.T, v any, decode func([]byte) (any, error)) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("re-encode: %v", err)
	}
	again, err := decode(b)
	if err != nil {
		t.Fatalf("re-decode of %s: %v", b, err)
	}
	if !reflect.DeepEqual(again, v) {
		t.Fatalf("round trip changed the order:\n%#v\n%#v", v, again)
	}
}
