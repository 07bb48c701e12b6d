package vendorapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"switchboard/internal/vendorapi/result"
	"switchboard/internal/vendorapi/wire"
)

var fuzzMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// FuzzRequest sends any method, path, key, account and body. The backend
// never fails, so the oracle is exact: no answer is a 500, every error is a
// wire.Status of its own status code with a message and the clock's time,
// and every success is JSON (or the reference page).
func FuzzRequest(f *testing.F) {
	seeds := []struct {
		method  uint8
		path    string
		auth    uint8
		account string
		body    string
	}{
		{3, "/unified/ats/assessments/orders/ord_1/result", 0, account, `{"result":{"value":"passed"}}`},
		{3, "/unified/ats/background_checks/orders/ord_1/result", 0, account, `{"score":{"value":1}}`},
		{0, "/unified/ats/assessments/orders?status=open&page_size=3&next=x", 0, account, ``},
		{0, "/unified/ats/assessments/orders?page_size=-1", 0, "", ``},
		{0, "/unified/ats/assessments/orders/ord_1", 0, "acc_2", ``},
		{2, "/unified/ats/assessments/packages", 0, "", `{"packages":[{"id":"a","name":"b"},{"id":"a","name":""}]}`},
		{2, "/webhook", 0, "", `{"url":"https://v.example/h"}`},
		{1, "/webhook/rotate", 0, "", ``},
		{2, "/package_source", 0, "", `{"url":"https://v.example/p","key":"k"}`},
		{4, "/package_source", 1, "", ``},
		{0, "/connectors/meta/lever", 2, "", ``},
		{0, "/openapi.json", 1, "", ``},
		{0, "/docs", 1, "", ``},
		{1, "/nope/%zz", 3, "", `{`},
		{0, "/unified/ats/assessments/orders?page_size=1e3", 0, account, ``},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.auth, s.account, []byte(s.body))
	}
	fx := newFixture(f, result.Options{})
	f.Fuzz(func(t *testing.T, method uint8, path string, auth uint8, accountID string, body []byte) {
		// Only paths under Prefix reach New's handler where it is mounted.
		u, err := url.ParseRequestURI(Prefix + "/" + strings.TrimPrefix(path, "/"))
		if err != nil {
			t.Skip()
		}
		r := &http.Request{Method: fuzzMethods[int(method)%len(fuzzMethods)], URL: u, Header: http.Header{},
			Body: http.NoBody, Host: "sb.test", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
		if len(body) > 0 {
			r.Body = httpBody(body)
			r.ContentLength = int64(len(body))
			r.Header.Set("Content-Type", "application/json")
		}
		switch auth % 4 {
		case 0:
			r.Header.Set("Authorization", basic(goodKey))
		case 2:
			r.Header.Set("Authorization", basic("svk_other"))
		case 3:
			r.Header.Set("Authorization", "Basic "+string(body))
		}
		if accountID != "" {
			r.Header.Set("x-account-id", accountID)
		}
		w := httptest.NewRecorder()
		fx.h.ServeHTTP(w, r)
		switch {
		case w.Code == http.StatusInternalServerError:
			t.Fatalf("%s %s: 500: %s", r.Method, u, w.Body)
		case (w.Code == http.StatusMovedPermanently || w.Code == http.StatusTemporaryRedirect) && w.Header().Get("Location") != "":
			// the mux's redirect of an unclean path ("//", "/../") to its clean form
		case w.Code >= 400:
			errorStatus(t, w)
		case w.Code != http.StatusOK:
			t.Fatalf("%s %s: %d: %s", r.Method, u, w.Code, w.Body)
		case u.Path == Prefix+"/docs":
		case !json.Valid(w.Body.Bytes()):
			t.Fatalf("%s %s: 200 with a body that is not JSON: %s", r.Method, u, w.Body)
		}
	})
}

// FuzzResultBody holds the result route to result.Parse exactly: a body
// Parse accepts is answered 200 and reaches Orders as Parse read it; any
// other is answered 400 with Parse's own field errors and reaches nothing.
func FuzzResultBody(f *testing.F) {
	for _, b := range []string{
		`{"result":{"value":"passed"},"score":{"value":"80","min":"0","max":"100"},"summary":"<b>ok</b>"}`,
		`{"score":{"value":80,"min":0}}`,
		`{"attachments":[{"url":"https://v.example/a"},{"url":"http://v.example/b","content_type":{"value":"pdf"}}]}`,
		`{"start_date":"2026-01-01T00:00:00Z","submission_date":"2025-01-01T00:00:00Z"}`,
		`{"passthrough":[1]}`, `{"id":"x"}`, `[]`, `{"result":{"value":"unmapped_value"}}`, ` `,
	} {
		f.Add([]byte(b))
	}
	fx := newFixture(f, result.Options{}) // the fuzz function runs one input at a time
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) == 0 {
			t.Skip() // huma's "body is required", before Parse
		}
		fx.orders.updates = nil
		r := httptest.NewRequest(http.MethodPatch, resultPath, httpBody(body))
		r.Header.Set("Authorization", basic(goodKey))
		r.Header.Set("x-account-id", account)
		w := httptest.NewRecorder()
		fx.h.ServeHTTP(w, r)
		want, perr := result.Parse(bytes.NewReader(body), result.Options{})
		if perr == nil {
			if w.Code != http.StatusOK || len(fx.orders.updates) != 1 || !reflect.DeepEqual(fx.orders.updates[0], want) {
				t.Fatalf("a body Parse accepts: %d %s, updates %+v, want 200 and %+v", w.Code, w.Body, fx.orders.updates, want)
			}
			return
		}
		if len(fx.orders.updates) != 0 {
			t.Fatalf("a body Parse refuses reached Orders: %+v", fx.orders.updates)
		}
		if len(body) > result.MaxBodyBytes {
			if w.Code != http.StatusRequestEntityTooLarge {
				t.Fatalf("a body of %d bytes: %d, want 413", len(body), w.Code)
			}
			return
		}
		st := errorStatus(t, w)
		inv, ok := perr.(*result.Invalid)
		if !ok {
			t.Fatalf("Parse: %v, want an *Invalid", perr)
		}
		var wantFields []wire.FieldError
		for _, fe := range inv.Fields {
			wantFields = append(wantFields, wire.FieldError{Field: fe.Field, Message: fe.Message})
		}
		if w.Code != http.StatusBadRequest || !slices.Equal(st.Errors, wantFields) {
			t.Fatalf("a body Parse refuses: %d %+v, want 400 %+v", w.Code, st.Errors, wantFields)
		}
	})
}
