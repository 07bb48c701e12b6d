package smartrecruiters_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"switchboard/internal/ats"
	"switchboard/internal/ats/atshttp"
	sr "switchboard/internal/ats/smartrecruiters"
	"switchboard/internal/core"
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

// FuzzParseTokenInput: a token request is accepted only as a
// client-credentials grant with both an id and a secret, taken from the form
// when it names either and from HTTP Basic otherwise; what is accepted
// survives Form and back, and its String never shows the secret.
func FuzzParseTokenInput(f *testing.F) {
	for _, seed := range [][3]string{
		{"grant_type=client_credentials&client_id=sbc_1&client_secret=s3cret", "", ""},
		{"grant_type=client_credentials", "sbc_1", "s3cret"},
		{"grant_type=client_credentials&client_id=sbc_1", "basic", "s3cret"},
		{"grant_type=password&username=a&password=b", "", ""},
		{"grant_type=&client_id=a&client_secret=b", "", ""},
		{"grant_type=client_credentials&grant_type=password&client_id=a&client_secret=b", "", ""},
		{"client_id=%zz", "", ""},
		{"grant_type=client_credentials&client_id=s&client_secret=s", "", ""},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	f.Fuzz(func(t *testing.T, body, basicID, basicSecret string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return // the handler answers invalid_request before parsing
		}
		in, err := sr.ParseTokenInput(form, basicID, basicSecret)
		if err != nil {
			if errors.Is(err, sr.ErrUnsupportedGrant) != (form.Get("grant_type") != "" && form.Get("grant_type") != sr.GrantTypeClientCredentials) {
				t.Fatalf("grant_type %q: error %v", form.Get("grant_type"), err)
			}
			return
		}
		wantID, wantSecret := form.Get("client_id"), form.Get("client_secret")
		if wantID == "" && wantSecret == "" {
			wantID, wantSecret = basicID, basicSecret
		}
		if in.GrantType != sr.GrantTypeClientCredentials || in.ClientID != wantID || in.ClientSecret != wantSecret || in.ClientID == "" || in.ClientSecret == "" {
			t.Fatalf("accepted %#v from form %v, basic %q", in, form, basicID)
		}
		again, err := sr.ParseTokenInput(in.Form(), "", "")
		if err != nil || again != in {
			t.Fatalf("Form round trip: %#v, %v; want %#v", again, err, in)
		}
		if in.Credentials() != (sr.ClientCredentials{ClientID: in.ClientID, ClientSecret: in.ClientSecret}) {
			t.Fatalf("Credentials() = %v", in.Credentials())
		}
		// The secret is never shown: what is printed does not change when
		// only the secret does (a substring check would trip on a secret
		// such as "I" that the field names happen to contain).
		other := in
		other.ClientSecret = in.ClientSecret + "-other"
		shown := func(t sr.TokenInput) string {
			return t.String() + fmt.Sprintf(" %v %+v %#v ", t, t, t) + fmt.Sprint(t.Credentials())
		}
		if a, b := shown(in), shown(other); a != b {
			t.Fatalf("what is printed depends on the secret:\n%s\n%s", a, b)
		}
	})
}

// FuzzOrderIDFromCallback: an order's result callback URL is accepted only
// when it is this client's results URL of a non-empty order id, so the
// bearer token can never be sent to another host or path; the id survives
// ResultsURL and back.
func FuzzOrderIDFromCallback(f *testing.F) {
	for _, file := range []string{"testdata/order_request.json", "testdata/inline_order_request.json"} {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var o struct {
			URL string `json:"resultCallbackURL"`
		}
		if err := json.Unmarshal(b, &o); err != nil {
			f.Fatal(err)
		}
		f.Add(false, o.URL)
	}
	for _, seed := range []string{
		"https://api.smartrecruiters.com/assessment-api/v202010/orders/o%2F1/results",
		"https://API.SmartRecruiters.com/assessment-api/v202010/orders/o-1/results/",
		"https://api.smartrecruiters.com.evil.example/assessment-api/v202010/orders/o-1/results",
		"https://evil.example/assessment-api/v202010/orders/o-1/results",
		"https://api.smartrecruiters.com/elsewhere/orders/o-1/results",
		"https://api.smartrecruiters.com/assessment-api/v202010/orders/../../x/orders/o-1/results",
		"https://api.smartrecruiters.com/assessment-api/v202010/orders//results",
		"https://user@api.smartrecruiters.com/assessment-api/v202010/orders/o-1/results",
		"https://api.smartrecruiters.com:8443/assessment-api/v202010/orders/o-1/results",
		"http://api.smartrecruiters.com/assessment-api/v202010/orders/o-1/results",
		"https://api.smartrecruiters.com/assessment-api/v202010/orders/o-1/results?x=1#f",
		"https://api.smartrecruiters.com/assessment-api/v202010/orders/%E2%9C%93/results",
		"/assessment-api/v202010/orders/o-1/results",
	} {
		f.Add(false, seed)
	}
	f.Add(true, "http://127.0.0.1:8089/assessment-api/v202010/orders/o-1/results")
	f.Add(true, "http://127.0.0.1:8090/assessment-api/v202010/orders/o-1/results")
	f.Fuzz(func(t *testing.T, simulator bool, callback string) {
		base := sr.DefaultBaseURL
		if simulator {
			base = "http://127.0.0.1:8089"
		}
		c := sr.NewClient(base, sr.ClientCredentials{ClientID: "id", ClientSecret: "secret"})
		id, err := c.OrderIDFromCallback(callback)
		if err != nil {
			return
		}
		if id == "" || strings.ContainsAny(id, "/?#") {
			t.Fatalf("OrderIDFromCallback(%q) = %q", callback, id)
		}
		if rid, err := sr.OrderIDFromResultURL(callback); err != nil || rid != id {
			t.Fatalf("OrderIDFromResultURL(%q) = %q, %v; the client said %q", callback, rid, err, id)
		}
		got, err := url.Parse(callback)
		if err != nil {
			t.Fatalf("accepted an unparsable URL %q", callback)
		}
		want, _ := url.Parse(c.ResultsURL(id))
		if !strings.EqualFold(got.Host, want.Host) || !strings.EqualFold(got.Scheme, want.Scheme) {
			t.Fatalf("callback %q accepted for %s", callback, c.ResultsURL(id))
		}
		// What a token is sent to is the client's own results URL of the id.
		back, err := c.OrderIDFromCallback(c.ResultsURL(id))
		if err != nil || back != id {
			t.Fatalf("ResultsURL(%q) = %s reads back as %q, %v", id, c.ResultsURL(id), back, err)
		}
	})
}

// fuzzTransport answers a client's requests without a network.
type fuzzTransport func(*http.Request) (*http.Response, error)

func (f fuzzTransport) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// FuzzAPIError: whatever SmartRecruiters' token endpoint or API answers, the
// client returns an error or a decoded value, never a panic; an error answer
// is an *atshttp.StatusError (the name is from SmartRecruiters' own error
// type of before) with the status, its retry classification and the
// Retry-After, and no error text carries the client secret or the token.
func FuzzAPIError(f *testing.F) {
	const secret, token = "sr-client-secret-0123456789", "sr-access-token-abcdef"
	seeds := []struct {
		tokenStep  bool
		status     int
		retryAfter string
		file       string
		body       string
	}{
		{false, 404, "", "testdata/error_response.json", ""},
		{true, 401, "", "testdata/token_error.json", ""},
		{true, 200, "", "testdata/access_token.json", ""},
		{false, 429, "2", "", `{"message":"Too many requests"}`},
		{false, 503, "Wed, 21 Oct 2015 07:28:00 GMT", "", "<html>down</html>"},
		{false, 400, "", "", `{"message":"bad token ` + token + `","errors":[{"code":"` + secret + `"}]}`},
		{true, 400, "", "", `{"error":"invalid_client","error_description":"secret ` + secret + ` is wrong"}`},
		{true, 200, "", "", `{"access_token":"","expires_in":"x"}`},
		{true, 200, "", "", `{"access_token":"t","token_type":"mac","expires_in":1e300}`},
		{false, 200, "", "", `{"id":7}`},
		{false, 500, "", "", "\x00\xff" + secret[:10]},
	}
	for _, s := range seeds {
		body := []byte(s.body)
		if s.file != "" {
			b, err := os.ReadFile(s.file)
			if err != nil {
				f.Fatal(err)
			}
			body = b
		}
		f.Add(s.tokenStep, s.status, s.retryAfter, body)
	}
	f.Fuzz(func(t *testing.T, tokenStep bool, status int, retryAfter string, body []byte) {
		if status < 200 || status > 599 || (status >= 300 && status < 400) {
			return
		}
		hc := &http.Client{Transport: fuzzTransport(func(r *http.Request) (*http.Response, error) {
			h := http.Header{"Retry-After": {retryAfter}}
			if strings.HasSuffix(r.URL.Path, sr.TokenPath) != tokenStep {
				h.Set("Content-Type", "application/json")
				ok := `{"id":"j-1","title":"Engineer"}`
				if strings.HasSuffix(r.URL.Path, sr.TokenPath) {
					ok = `{"access_token":"` + token + `","token_type":"Bearer","expires_in":3600}`
				}
				return &http.Response{StatusCode: 200, Header: h, Body: io.NopCloser(strings.NewReader(ok)), Request: r}, nil
			}
			return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(bytes.NewReader(body)), Request: r}, nil
		})}
		noSleep := func(context.Context, time.Duration) error { return nil }
		c := sr.NewClient(sr.DefaultBaseURL, sr.ClientCredentials{ClientID: "client-1", ClientSecret: secret},
			sr.WithHTTPClient(hc), sr.WithMaxRetries(0), sr.WithSleep(noSleep), sr.WithTokenCache(sr.NewTokenCache()))
		_, err := c.GetJob(context.Background(), "j-1")
		if status >= 400 {
			var ae *atshttp.StatusError
			if !errors.As(err, &ae) {
				t.Fatalf("HTTP %d: error %v is not an *APIError", status, err)
			}
			// A 401 from the API is retried once with a new token, which the
			// fake answers the same way.
			if ae.StatusCode != status || ae.Temporary() != (status == 429 || status >= 500) {
				t.Fatalf("HTTP %d: APIError %+v (temporary %v)", status, ae, ae.Temporary())
			}
			if ae.RetryAfter < 0 || ae.RetryAfter > (1<<31)*time.Second {
				t.Fatalf("Retry-After %q read as %v", retryAfter, ae.RetryAfter)
			}
		}
		if err != nil {
			credentials := []string{secret}
			if !tokenStep {
				credentials = append(credentials, token) // issued, so now a credential
			}
			for _, s := range credentials {
				if msg := fmt.Sprintf("%v %+v", err, err); strings.Contains(msg, s) {
					t.Fatalf("error text carries a credential: %s", msg)
				}
			}
		}
	})
}

// consentCore is the core behind the consent page: one good connection
// token connects (with passing checks), "half" connects with a failing one,
// anything else is refused.
type consentCore struct {
	ats.PartnerCore // the other calls are not reached
	baseURL         string
}

func (c consentCore) Connect(_ context.Context, token string, _ ats.Exchange) (ats.ConnectResult, error) {
	in := core.Integration{ID: "int_1", Provider: "smartrecruiters", Settings: map[string]string{sr.SettingBaseURL: c.baseURL}}
	switch token {
	case "good":
		return ats.ConnectResult{Integration: in, Checks: []ats.Check{{Name: "credentials", OK: true}}}, nil
	case "half":
		return ats.ConnectResult{Integration: in, Checks: []ats.Check{{Name: "package", Problem: "<b>none</b>"}}}, nil
	}
	return ats.ConnectResult{}, ats.Refuse(http.StatusUnauthorized, "unknown or used connection token")
}

// FuzzConsent: the consent form never answers 5xx to bad input, sends the
// browser away only after a connection that passed its checks, and then only
// to SmartRecruiters' own site (an open redirect would let anyone bounce a
// customer's admin anywhere under Switchboard's name); what the form echoes
// is escaped.
func FuzzConsent(f *testing.F) {
	for _, seed := range []string{
		"companyId=c-1&token=good&redirect=https%3A%2F%2Fwww.smartrecruiters.com%2Fapps",
		"companyId=c-1&token=good&redirect=https%3A%2F%2Fevil.example%2F",
		"companyId=c-1&token=good&redirect=https%3A%2F%2Fsmartrecruiters.com.evil.example%2F",
		"companyId=c-1&token=good&redirect=https%3A%2F%2Fevil.example%2F%40www.smartrecruiters.com",
		"companyId=c-1&token=good&redirect=%2F%2Fevil.example",
		"companyId=c-1&token=good&redirect=javascript%3Aalert(1)",
		"companyId=c-1&token=good&redirect=http%3A%2F%2Fwww.smartrecruiters.com%2F",
		"companyId=c-1&token=good",
		"companyId=c-1&token=half&redirect=https%3A%2F%2Fwww.smartrecruiters.com%2F",
		"companyId=%3Cscript%3E&token=bad",
		"companyId=&token=good",
		"token=good&companyId=c&companyId=d",
		"%zz",
	} {
		f.Add(seed, false)
	}
	f.Add("companyId=c-1&token=good&redirect=http%3A%2F%2F127.0.0.1%3A8089%2Fback", true)
	f.Add("companyId=c-1&token=good&redirect=http%3A%2F%2F127.0.0.1%3A9999%2Fback", true)
	f.Fuzz(func(t *testing.T, form string, simulator bool) {
		base := sr.DefaultBaseURL
		if simulator {
			base = "http://127.0.0.1:8089"
		}
		mux := http.NewServeMux()
		sr.NewConnector(sr.ConnectorOptions{}).RegisterPartner(mux, "/p", consentCore{baseURL: base})
		post := func(form string) *httptest.ResponseRecorder {
			req := httptest.NewRequest(http.MethodPost, "/p"+sr.PathConsent, strings.NewReader(form))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, req)
			return rec
		}
		rec := post(form)
		values, perr := url.ParseQuery(form)
		company := strings.TrimSpace(values.Get("companyId"))
		connected := perr == nil && company != "" && values.Get("token") == "good"
		if u, err := url.Parse(values.Get("redirect")); connected && !simulator && err == nil && u.Scheme == "https" && u.Host == "www.smartrecruiters.com" &&
			rec.Code != http.StatusSeeOther {
			t.Fatalf("form %q: a connection with a redirect to SmartRecruiters answered %d, want 303", form, rec.Code)
		}
		switch {
		case rec.Code >= 500:
			t.Fatalf("form %q answered %d: %s", form, rec.Code, rec.Body)
		case rec.Code == http.StatusSeeOther:
			if perr != nil || company == "" || values.Get("token") != "good" {
				t.Fatalf("form %q redirected without a passing connection", form)
			}
			loc := rec.Header().Get("Location")
			// Where a browser goes: for http(s) it drops tabs and newlines
			// and reads a backslash as a slash (WHATWG URL), so a backslash
			// in the path is harmless and one before the host is not.
			// Userinfo is left alone: the host is what a browser goes to.
			u, err := url.Parse(strings.NewReplacer("\t", "", "\r", "", "\n", "", "\\", "/").Replace(loc))
			if err != nil {
				t.Fatalf("form %q redirected to %q", form, loc)
			}
			host := strings.ToLower(u.Hostname())
			ok := u.Scheme == "https" && (host == "smartrecruiters.com" || strings.HasSuffix(host, ".smartrecruiters.com"))
			if simulator {
				ok = u.Scheme == "http" && u.Host == "127.0.0.1:8089" || ok
			}
			if !ok {
				t.Fatalf("form %q redirected off SmartRecruiters to %q", form, loc)
			}
		case rec.Code == http.StatusOK && values.Get("token") == "good" && perr == nil && company != "":
			if r := values.Get("redirect"); r != "" && strings.Contains(rec.Body.String(), "Back to SmartRecruiters") && !strings.Contains(rec.Body.String(), html.EscapeString(r)) {
				t.Fatalf("form %q: a back link that is not the redirect given", form)
			}
		case rec.Code == http.StatusOK && values.Get("token") != "half":
			t.Fatalf("form %q answered 200 without a connection: %s", form, rec.Body)
		}
		if rec.Code != http.StatusSeeOther {
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Fatalf("form %q answered %d as %q", form, rec.Code, ct)
			}
			// What the form sent comes back only escaped: a value that
			// could open a tag appears raw only where the same form with
			// harmless values has the same text (the page's own markup).
			// The harmless form takes the same branch: a redirect that was
			// followed (the back link shows) is replaced by one that is
			// followed too, so the link's markup is in both pages.
			harmless := url.Values{"token": {values.Get("token")}}
			if company != "" {
				harmless.Set("companyId", "c")
			}
			if values.Get("redirect") != "" {
				harmless.Set("redirect", "r")
				if strings.Contains(rec.Body.String(), ">Back to SmartRecruiters</a>") {
					harmless.Set("redirect", "https://www.smartrecruiters.com/")
					if simulator {
						harmless.Set("redirect", "http://127.0.0.1:8089/")
					}
				}
			}
			baseline := post(harmless.Encode()).Body.String()
			for _, v := range []string{company, values.Get("redirect")} {
				if strings.Contains(v, "<") && strings.Contains(rec.Body.String(), v) && !strings.Contains(baseline, v) {
					t.Fatalf("form %q: the page echoes %q unescaped", form, v)
				}
			}
		}
	})
}

// FuzzDecodeResponse: every answer body the client decodes (token, results,
// attachment, job, candidate, candidate page, partner configuration, errors)
// decodes or is refused without a panic, and what decodes re-encodes to a
// stable form: encoding what it decodes again gives the same bytes.
func FuzzDecodeResponse(f *testing.F) {
	decoders := []func() any{
		func() any { return new(sr.AccessToken) },
		func() any { return new(sr.PackageResult) },
		func() any { return new(sr.AttachmentResult) },
		func() any { return new(sr.Job) },
		func() any { return new(sr.Candidate) },
		func() any { return new(sr.Page[sr.Candidate]) },
		func() any { return new(sr.PartnerConfiguration) },
		func() any { return new(sr.ErrorResponse) },
		func() any { return new(sr.TokenErrorResponse) },
	}
	for _, file := range []string{"access_token.json", "package_result_completed.json", "package_result_pending.json",
		"attachment_result.json", "candidates_page.json", "partner_configuration.json", "error_response.json", "token_error.json"} {
		b, err := os.ReadFile("testdata/" + file)
		if err != nil {
			f.Fatal(err)
		}
		for i := range decoders {
			f.Add(uint8(i), b)
		}
	}
	for _, seed := range []string{
		`{"access_token":"t","expires_in":"3600"}`, `{"expires_in":1.5e3}`, `{"expires_in":9.3e18}`,
		`{"createdOn":"2013-03-07T13:34:40.137+0000","updatedOn":""}`, `{"createdOn":"2013-03-07T13:34:40Z"}`,
		`{"id":12,"title":null}`, `{"content":[{"id":"c"}],"totalFound":"2"}`, `null`, `{`,
	} {
		for i := range decoders {
			f.Add(uint8(i), []byte(seed))
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		newV := decoders[int(which)%len(decoders)]
		v := newV()
		if err := json.Unmarshal(body, v); err != nil {
			return
		}
		once, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("re-encode %T from %s: %v", v, body, err)
		}
		again := newV()
		if err := json.Unmarshal(once, again); err != nil {
			t.Fatalf("re-decode %T %s: %v", v, once, err)
		}
		twice, err := json.Marshal(again)
		if err != nil {
			t.Fatalf("re-encode %T: %v", v, err)
		}
		if !bytes.Equal(once, twice) {
			t.Fatalf("%T from %s does not re-encode stably:\n%s\n%s", v, body, once, twice)
		}
	})
}
