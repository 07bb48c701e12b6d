package app_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"switchboard/internal/app/apptest"
	"switchboard/internal/ats/lever"
	sr "switchboard/internal/ats/smartrecruiters"
	"switchboard/internal/core"
)

// BenchmarkWebhookIngest measures what Switchboard does before it answers a
// Lever webhook: verify the signature, store the event and enqueue its job,
// on SQLite, through the whole HTTP handler. Jobs are not worked, so the
// benchmark measures the inbound path alone. Each iteration posts a distinct
// delivery (its own triggeredAt), so none is a redelivery.
func BenchmarkWebhookIngest(b *testing.B) {
	e := apptest.New(b, apptest.Options{NoWorkers: true})
	f := e.SetupLever(apptest.LeverOptions{})
	opp, _, err := e.Lever.CreateOpportunity(context.Background(), "Ada Lovelace", "ada@example.com", f.PostingID)
	if err != nil {
		b.Fatal(err)
	}
	u, err := url.Parse(f.WebhookURL)
	if err != nil {
		b.Fatal(err)
	}
	// Signed up front so that the timed loop is Switchboard's work only;
	// triggeredAt steps back 1 ms per delivery, well inside the tolerance.
	now := e.Clock.Now()
	bodies := make([][]byte, b.N)
	for i := range bodies {
		p := webhookPayload(lever.EventCandidateStageChange, opp.ID, f.TriggerStage, apptest.StageChangeToken,
			now.Add(-time.Duration(i)*time.Millisecond))
		bodies[i] = mustJSON(b, p)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		req := httptest.NewRequest(http.MethodPost, u.Path, bytes.NewReader(bodies[i]))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		e.App.Handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "accepted") {
			b.Fatalf("delivery %d: %d %s", i, rec.Code, rec.Body.String())
		}
	}
}

// BenchmarkOrderToInvitation measures the latency a candidate sees: from
// Lever posting the stage-change webhook to the invitation email arriving at
// the SMTP server, with the job queue working (poll interval 20 ms, as the
// test environment sets it). Each iteration uses a fresh Lever API key, so
// Lever's per-key rate limit (10 req/s, which Switchboard honours) is not
// what is being measured; the queue is drained between iterations, untimed.
func BenchmarkOrderToInvitation(b *testing.B) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			e := apptest.New(b, apptest.Options{Dialect: dialect})
			f := e.SetupLever(apptest.LeverOptions{})
			ctx := context.Background()
			var total, worst time.Duration
			b.ResetTimer()
			for i := range b.N {
				b.StopTimer()
				key := fmt.Sprintf("lever-bench-key-%d", i)
				e.Lever.AddAPIKey(key)
				e.MustAPI(http.StatusOK, f.APIKey, "PUT", "/integrations/"+f.IntegrationID+"/credentials/"+lever.CredentialAPIKey,
					map[string]string{"value": key}, nil)
				e.Clock.Advance(time.Second)
				opp, _, err := e.Lever.CreateOpportunity(ctx, fmt.Sprintf("Candidate %d", i), fmt.Sprintf("c%d@example.com", i), f.PostingID)
				if err != nil {
					b.Fatal(err)
				}
				waitCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
				b.StartTimer()

				start := time.Now()
				ds, err := e.Lever.MoveStage(ctx, opp.ID, f.TriggerStage)
				if err != nil || len(ds) != 1 || ds[0].StatusCode != http.StatusOK {
					b.Fatalf("stage change delivery: %s, %v", outcome(ds), err)
				}
				if _, err := e.Mail.WaitForMessages(waitCtx, i+1); err != nil {
					b.Fatal(err)
				}
				d := time.Since(start)

				b.StopTimer()
				cancel()
				total += d
				worst = max(worst, d)
				e.WaitIdle()
				b.StartTimer()
			}
			b.ReportMetric(float64(total.Microseconds())/1e3/float64(b.N), "ms/invite")
			b.ReportMetric(float64(worst.Microseconds())/1e3, "max-ms/invite")
		})
	}
}

// BenchmarkVendorLatency measures, on SQLite with the job queue working (20
// ms poll), the two latencies an outside vendor adds: from a recruiter's
// order in SmartRecruiters to the signed delivery arriving at the vendor,
// and from the vendor's result PATCH to SmartRecruiters showing COMPLETED
// with the result (the attachment fetched and stored on the way). It
// reports the median and the 99th percentile of each; the time between
// (the vendor's in-progress update landing) is not timed.
func BenchmarkVendorLatency(b *testing.B) {
	e := apptest.New(b, apptest.Options{})
	f := e.SetupSmartRecruiters(apptest.SROptions{})
	arrived := make(chan struct{}, 1)
	vf := e.SetupVendor("Acme Assessments", core.KindAssessment, apptest.VendorOptions{Manual: true, Handler: func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/webhooks" {
				select {
				case arrived <- struct{}{}:
				default:
				}
			}
			h.ServeHTTP(w, r)
		})
	}}, f.Admin.AccountID)
	srMapLabel(e, f, "Cognitive ability", "val-good")
	vac := e.VendorVacancy(f.Admin.AccountID, vf.Vendor.ID, "cog-20")
	ctx := context.Background()
	var toVendor, toATS []time.Duration
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		pls, err := f.Sim.OrderAdHoc(ctx, f.Company.ID, string(f.Candidate.ID), string(f.Job.ID), vac.ID)
		if err != nil || len(pls) != 1 || pls[0].StatusCode != http.StatusAccepted {
			b.Fatalf("order %d: %+v %v", i, pls, err)
		}
		select {
		case <-arrived:
		case <-time.After(20 * time.Second):
			b.Fatalf("order %d never reached the vendor", i)
		}
		toVendor = append(toVendor, time.Since(start))

		b.StopTimer()
		vf.Settle(e)
		got := vf.Program.Received()
		id := got[len(got)-1].ID
		b.StartTimer()

		start = time.Now()
		if err := vf.Program.Complete(ctx, id); err != nil {
			b.Fatal(err)
		}
		for {
			if o, ok := f.Sim.Order(pls[0].OrderID); ok && o.Result.Status == sr.StatusCompleted {
				break
			}
			if time.Since(start) > 20*time.Second {
				b.Fatalf("order %d: SmartRecruiters never showed the result", i)
			}
			time.Sleep(time.Millisecond) // SmartRecruiters' side is a simulator's state: polled
		}
		toATS = append(toATS, time.Since(start))
		b.StopTimer()
		vf.Settle(e)
		b.StartTimer()
	}
	b.StopTimer()
	for _, m := range []struct {
		name string
		ds   []time.Duration
	}{{"delivery", toVendor}, {"writeback", toATS}} {
		slices.Sort(m.ds)
		b.ReportMetric(ms(m.ds[len(m.ds)/2]), "p50-ms/"+m.name)
		b.ReportMetric(ms(m.ds[min(len(m.ds)-1, len(m.ds)*99/100)]), "p99-ms/"+m.name)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1e3 }
