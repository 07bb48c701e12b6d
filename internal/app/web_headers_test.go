package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"switchboard/internal/app"
	"switchboard/internal/app/apptest"
	"switchboard/internal/candidatebot"
)

// checkBearerPageHeaders: a response reached by a bearer link is not cached,
// sniffed, framed or referred on; pages also get a script-free policy.
func checkBearerPageHeaders(t *testing.T, what string, h http.Header, page bool) {
	t.Helper()
	for k, want := range map[string]string{
		"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
		"X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s: %s %q, want %q", what, k, got, want)
		}
	}
	csp := h.Get("Content-Security-Policy")
	if page && (!strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "script-src")) {
		t.Errorf("%s: Content-Security-Policy %q, want default-src 'none' without scripts", what, csp)
	}
	if h.Get("Strict-Transport-Security") != "" {
		t.Errorf("%s: HSTS over an http base URL", what)
	}
}

// TestCandidateAndReportPagesHeaders walks a candidate through the journey
// and opens the report: every page carries the headers, and the report
// page's PDF link expires with the page's link, not 30 days from the visit.
func TestCandidateAndReportPagesHeaders(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupLever(apptest.LeverOptions{})
	ctx := context.Background()
	_, link := invited(t, e, f, "Ada Lovelace", "ada@example.com")

	resp, _ := e.Get(link)
	checkBearerPageHeaders(t, "landing page", resp.Header, true)
	var seen []string
	client := &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err == nil && strings.HasPrefix(r.URL.String(), e.URL) {
			checkBearerPageHeaders(t, r.Method+" "+r.URL.Path, resp.Header, true)
			seen = append(seen, r.Method+" "+r.URL.Path)
		}
		return resp, err
	})}
	if _, err := candidatebot.Take(ctx, client, link, candidatebot.FirstOption); err != nil {
		t.Fatal(err)
	}
	if len(seen) < 4 {
		t.Errorf("the journey made only %v", seen)
	}
	e.WaitIdle()
	_, list := orders(e, f.APIKey)
	d := order(e, f.APIKey, list[0].ID)
	if d.Reports == nil || d.Reports.ReadOnlyPageURL == "" {
		t.Fatalf("no read-only report link: %+v", d.Reports)
	}
	pageExp := expOf(t, d.Reports.ReadOnlyPageURL)

	// Ten days on, the page still opens; its PDF link must not outlive it.
	e.Clock.Advance(10 * 24 * time.Hour)
	resp, body := e.Get(d.Reports.ReadOnlyPageURL)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("report page: %d", resp.StatusCode)
	}
	checkBearerPageHeaders(t, "report page", resp.Header, true)
	m := regexp.MustCompile(`href="([^"]*report\.pdf[^"]*)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no PDF link on the report page:\n%s", body)
	}
	pdfURL := strings.ReplaceAll(m[1], "&amp;", "&")
	if exp := expOf(t, pdfURL); exp > pageExp {
		t.Errorf("the page's PDF link expires at %d, after the page's own link (%d)", exp, pageExp)
	}
	resp, _ = e.Get(pdfURL)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("PDF: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	checkBearerPageHeaders(t, "PDF", resp.Header, false)
}

func expOf(t *testing.T, link string) int64 {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	exp, err := strconv.ParseInt(u.Query().Get("exp"), 10, 64)
	if err != nil {
		t.Fatalf("link %s has no exp: %v", link, err)
	}
	return exp
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestHSTSWithAnHTTPSBaseURL: behind TLS (an https base URL) the pages ask
// browsers to keep to https.
func TestHSTSWithAnHTTPSBaseURL(t *testing.T) {
	t.Parallel()
	a, err := app.Open(t.Context(), app.Config{DataDir: t.TempDir(), BaseURL: "https://switchboard.example", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(context.Background()) })
	for _, path := range []string{"/a/unknown-token", "/r/ord_x?exp=1&sig=x", "/r/ord_x/report.pdf"} {
		rec := httptest.NewRecorder()
		a.Handler.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if got := rec.Header().Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=") {
			t.Errorf("%s: Strict-Transport-Security %q", path, got)
		}
		if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q", path, got)
		}
	}
}
