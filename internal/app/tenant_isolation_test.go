package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"switchboard/internal/app/apptest"
	"switchboard/internal/ats/lever"
	"switchboard/internal/service"
)

// TestHangingATSDoesNotDelayAnotherTenant: one tenant's Lever stops
// answering (every request hangs) while a burst of its webhooks comes in.
// Its jobs take no more than their share of the workers, and another
// tenant's invitation email goes out while every one of the hanging
// requests still hangs: it waited for no worker a timeout had to free.
func TestHangingATSDoesNotDelayAnotherTenant(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	lf := e.SetupLever(apptest.LeverOptions{})

	// Tenant 1's Lever, behind a switch that makes it hang.
	var hanging atomic.Bool
	var ended atomic.Int32
	entered := make(chan struct{}, 1000)
	stop := make(chan struct{})
	sim := e.Lever.Handler()
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !hanging.Load() {
			sim.ServeHTTP(w, r)
			return
		}
		select {
		case entered <- struct{}{}:
		default:
		}
		select {
		case <-stop:
		case <-r.Context().Done():
		}
		ended.Add(1)
		http.Error(w, "gone", http.StatusServiceUnavailable)
	}))
	t.Cleanup(proxy.Close)
	t.Cleanup(func() { close(stop) }) // runs first: the hanging requests end
	e.MustAPI(http.StatusOK, lf.APIKey, "PATCH", "/integrations/"+lf.IntegrationID,
		map[string]any{"settings": map[string]string{lever.SettingBaseURL: proxy.URL + "/v1"}}, nil)

	// Tenant 2: SmartRecruiters, another account.
	f := e.SetupSmartRecruiters(apptest.SROptions{})
	ctx := context.Background()

	hanging.Store(true)
	const burst = 12 // more than the default queue's workers
	for range burst {
		e.LeverToTrigger(lf, "Ada Lovelace", "ada@example.com")
	}
	for range service.IntegrationJobs {
		receive(t, "tenant 1's jobs to call its hanging Lever", entered)
	}

	pls, err := f.Sim.OrderAdHoc(ctx, f.Company.ID, string(f.Candidate.ID), string(f.Job.ID), f.VacancyIDs[apptest.SRVacancyName])
	srPlaced(t, pls, err, http.StatusAccepted)
	srWaitMails(t, e, 1)
	if n := ended.Load(); n != 0 {
		t.Errorf("%d of tenant 1's hanging requests ended before tenant 2's email went", n)
	}
	if n := len(entered); n != 0 {
		t.Errorf("%d more of tenant 1's jobs called its Lever while %d hung, want none", n, service.IntegrationJobs)
	}
}
