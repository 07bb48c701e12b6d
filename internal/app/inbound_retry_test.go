package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"switchboard/internal/app/apptest"
)

// TestInboundRetryAPI: POST /integrations/{id}/inbound/{event}/retry
// processes a failed webhook again. While the queue keeps the failed job,
// that job runs again (its id is the one listed); once the queue has dropped
// it, a new job is queued. Another account's admin finds no such
// integration, an unknown event is 404, and an event that did not fail is a
// conflict that changes nothing.
func TestInboundRetryAPI(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		f := e.SetupLever(apptest.LeverOptions{})
		ctx := context.Background()
		setKey := func(key string) { e.SetLeverAPIKey(f, key) }
		type failure struct {
			EventID string `json:"event_id"`
			Failure string `json:"failure"`
			JobID   int64  `json:"job_id"`
		}
		failures := func() []failure {
			t.Helper()
			var v struct {
				InboundFailures []failure `json:"inbound_failures"`
			}
			e.MustAPI(http.StatusOK, f.APIKey, "GET", "/integrations/"+f.IntegrationID, nil, &v)
			return v.InboundFailures
		}
		type answer struct {
			EventID string `json:"event_id"`
			JobID   int64  `json:"job_id"`
			Error   string `json:"error"`
		}
		retry := func(key, integration, event string) (int, answer) {
			t.Helper()
			var a answer
			status := e.API(key, "POST", "/integrations/"+integration+"/inbound/"+event+"/retry", nil, &a)
			return status, a
		}

		setKey("not-the-key")
		e.LeverToTrigger(f, "Ada Lovelace", "ada@example.com")
		e.WaitIdle()
		fs := failures()
		if len(fs) != 1 || fs[0].JobID == 0 || !strings.Contains(fs[0].Failure, "401") {
			t.Fatalf("inbound failures %+v, want the 401 with its job", fs)
		}
		ev, job := fs[0].EventID, fs[0].JobID

		other := e.CreateAccount("Other Corp", "admin@other.example")
		if status, _ := retry(other, f.IntegrationID, ev); status != http.StatusNotFound {
			t.Errorf("retry from another account: %d, want 404", status)
		}
		if status, _ := retry(f.APIKey, f.IntegrationID, "evt_nope"); status != http.StatusNotFound {
			t.Errorf("retry of an unknown event: %d, want 404", status)
		}

		// Not fixed yet: the same job runs again and fails again.
		if status, a := retry(f.APIKey, f.IntegrationID, ev); status != http.StatusAccepted || a.JobID != job || a.EventID != ev {
			t.Fatalf("retry: %d %+v, want 202 for job %d", status, a, job)
		}
		e.WaitIdle()
		if fs := failures(); len(fs) != 1 || fs[0].JobID != job {
			t.Fatalf("after a retry that failed again: %+v, want the same event and job", fs)
		}

		// Fixed, and the queue has dropped the job (as its retention does).
		setKey(apptest.LeverAPIKey)
		if _, err := e.App.Store.Writer().ExecContext(ctx, "DELETE FROM river_job WHERE kind = 'process_inbound'"); err != nil {
			t.Fatal(err)
		}
		if fs := failures(); len(fs) != 1 || fs[0].JobID != 0 {
			t.Fatalf("failures after the job was dropped: %+v, want no job id", fs)
		}
		status, a := retry(f.APIKey, f.IntegrationID, ev)
		if status != http.StatusAccepted || a.JobID == 0 || a.JobID == job {
			t.Fatalf("retry of a dropped job: %d %+v, want 202 with a new job", status, a)
		}
		e.WaitIdle()
		if n, _ := orders(e, f.APIKey); n != 1 || len(e.Mail.Messages()) != 1 {
			t.Fatalf("after the retry: %d orders, %d emails; want 1 and 1", n, len(e.Mail.Messages()))
		}
		if fs := failures(); len(fs) != 0 {
			t.Errorf("failures after the successful retry: %+v", fs)
		}

		if status, a := retry(f.APIKey, f.IntegrationID, ev); status != http.StatusConflict || !strings.Contains(a.Error, "did not fail") {
			t.Errorf("retry of a processed event: %d %+v, want 409 saying it did not fail", status, a)
		}
		e.WaitIdle()
		if n, _ := orders(e, f.APIKey); n != 1 || len(e.Mail.Messages()) != 1 {
			t.Errorf("after retrying a processed event: %d orders, %d emails; want 1 and 1", n, len(e.Mail.Messages()))
		}
	})
}
