package smartrecruiters_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"switchboard/internal/ats"
	"switchboard/internal/ats/atshttp"
	sr "switchboard/internal/ats/smartrecruiters"
	"switchboard/internal/atssim/srsim"
)

// inProcess serves every request with h on the caller's goroutine: no
// network, so that a testing/synctest bubble holds the whole exchange and
// its fake clock moves only when every goroutine of the sync waits.
type inProcess struct{ h http.Handler }

func (p inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		b, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	in := r.Clone(r.Context())
	in.Body = io.NopCloser(bytes.NewReader(body))
	in.RequestURI = r.URL.RequestURI()
	rec := httptest.NewRecorder()
	p.h.ServeHTTP(rec, in)
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

// syncResult is what a sync at SmartRecruiters' real limits did, on the
// simulator's clock.
type syncResult struct {
	took         time.Duration
	calls        int
	maxPerSecond int // the most requests that arrived within any 1 s
	throttled    int // requests the simulator refused over its limits
}

// ratio is the sync's duration over the least the published 10 requests a
// second allow for its calls.
func (r syncResult) ratio() float64 {
	return r.took.Seconds() / (float64(r.calls) / sr.RequestsPerSecond)
}

// syncAtLimits seeds n applicants on a job of a simulator at
// SmartRecruiters' real limits, reached in process on the clock now (whose
// waits are sleep), and pages through them all with the connector's default
// limits. It checks that each came once in list order and that the calls
// were one GET /candidates a page and three reads an applicant.
func syncAtLimits(tb testing.TB, n int, now func() time.Time, sleep func(context.Context, time.Duration) error) syncResult {
	tb.Helper()
	sim := srsim.New(srsim.WithClock(now))
	company := sim.AddCompany("Acme")
	key, err := sim.IssueAPIKey(company.ID)
	if err != nil {
		tb.Fatal(err)
	}
	job, err := sim.AddJobWith(company.ID, srsim.JobSpec{Title: "Go Developer"})
	if err != nil {
		tb.Fatal(err)
	}
	jobID := string(job.ID)
	ids, err := sim.SeedApplicants(company.ID, jobID, n)
	if err != nil {
		tb.Fatal(err)
	}
	conn := sr.NewConnector(sr.ConnectorOptions{Runtime: ats.Runtime{Now: now, Sleep: sleep}})
	cfg := ats.Config{Secrets: map[string]string{sr.CredentialAPIKey: key}, HTTPClient: &http.Client{Transport: inProcess{sim.Handler()}}}
	cfg.Integration.Settings = map[string]string{sr.SettingBaseURL: "http://srsim.invalid"}

	start := now()
	var got []ats.Applicant
	q := ats.ApplicantQuery{JobID: jobID}
	for {
		p, err := conn.ListApplicants(context.Background(), cfg, q)
		if err != nil {
			tb.Fatalf("after %d applicants: %v", len(got), err)
		}
		got = append(got, p.Applicants...)
		if q.Cursor = p.Next; q.Cursor == "" || len(got) > n {
			break
		}
	}
	r := syncResult{took: now().Sub(start), maxPerSecond: sim.MaxRequestsIn(time.Second), throttled: sim.ThrottledCount()}
	if len(got) != len(ids) {
		tb.Fatalf("got %d applicants, want %d", len(got), len(ids))
	}
	for i, a := range got {
		if a.ExternalID != ids[i] || len(a.Experience) == 0 || len(a.Answers) != 2 {
			tb.Fatalf("applicant %d: %+v", i, a)
		}
	}
	for _, c := range []struct {
		path string
		want int
	}{
		{"/candidates", (n + 99) / 100},
		{"/candidates/{id}", n},
		{"/candidates/{id}/jobs/{jobId}", n},
		{"/candidates/{id}/jobs/{jobId}/screening-answers", n},
	} {
		got := sim.RequestCount("GET", c.path)
		if got != c.want {
			tb.Errorf("GET %s: %d calls, want %d", c.path, got, c.want)
		}
		r.calls += got
	}
	return r
}

// sync10kChild is the environment variable that has TestSync10kInBubble run
// (in the child process of BenchmarkSync10k) rather than skip.
const sync10kChild = "SMARTRECRUITERS_SYNC10K_CHILD"

// TestSync10kInBubble is BenchmarkSync10k's measure: benchmarks cannot run
// a synctest bubble, so the benchmark runs this test in a child process and
// reads the line it logs.
func TestSync10kInBubble(t *testing.T) {
	if os.Getenv(sync10kChild) != "1" {
		t.Skip("run by BenchmarkSync10k")
	}
	synctest.Test(t, func(t *testing.T) {
		r := syncAtLimits(t, 10000, time.Now, atshttp.Sleep)
		t.Logf("sync10k took=%d calls=%d max=%d throttled=%d", r.took, r.calls, r.maxPerSecond, r.throttled)
	})
}

// sync10kInChild runs TestSync10kInBubble in a child process of this test
// binary and reads its result.
func sync10kInChild(b *testing.B) syncResult {
	b.Helper()
	cmd := exec.CommandContext(b.Context(), os.Args[0], "-test.run=^TestSync10kInBubble$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), sync10kChild+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("child: %v\n%s", err, out)
	}
	var r syncResult
	for line := range strings.Lines(string(out)) {
		_, after, ok := strings.Cut(line, "sync10k ")
		if !ok {
			continue
		}
		var took int64
		if _, err := fmt.Sscanf(strings.TrimSpace(after), "took=%d calls=%d max=%d throttled=%d", &took, &r.calls, &r.maxPerSecond, &r.throttled); err != nil {
			b.Fatalf("child's result %q: %v", after, err)
		}
		r.took = time.Duration(took)
		return r
	}
	b.Fatalf("child gave no result:\n%s", out)
	return r
}
