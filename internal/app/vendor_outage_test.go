package app_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"switchboard/internal/app/apptest"
	"switchboard/internal/atssim/srsim"
	"switchboard/internal/core"
	"switchboard/internal/delivery"
	"switchboard/internal/store"
	"switchboard/internal/vendorapi/wire"
)

// TestVendorDownForADay: the vendor's endpoint answers 503 for a simulated
// day (the injected clock). The delivery is retried on the schedule, each
// attempt recorded; meanwhile the vendor can pull the order; once the
// endpoint has failed for the threshold it is disabled with the reason and
// the delivery stops; re-enabled and replayed, it is delivered once, and a
// delivery to a healthy endpoint is made exactly once.
func TestVendorDownForADay(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		const threshold = 12 * time.Hour
		e := apptest.New(t, apptest.Options{Dialect: dialect, VendorDisableAfter: threshold})
		f := e.SetupSmartRecruiters(apptest.SROptions{})
		ctx := context.Background()
		outage := &apptest.Outage{Path: "/webhooks"}
		down, hits := &outage.Down, &outage.Calls
		vf := e.SetupVendor("Acme Assessments", core.KindAssessment, apptest.VendorOptions{Manual: true, Handler: outage.Wrap}, f.Admin.AccountID)
		vac := e.VendorVacancy(f.Admin.AccountID, vf.Vendor.ID, "cog-20")

		down.Store(true)
		// Ahead of the wall clock, so that the queue (which keeps the wall's
		// time) runs a scheduled attempt only when the test says so.
		e.Clock.Advance(10 * time.Minute)
		start := e.Clock.Now()
		pls, err := f.Sim.OrderAdHoc(ctx, f.Company.ID, string(f.Candidate.ID), string(f.Job.ID), vac.ID)
		srPlaced(t, pls, err, http.StatusAccepted)
		e.WaitIdle()
		d := onlyDelivery(t, e, vf)

		// Each failed attempt schedules the next; the clock is moved to it.
		schedule := delivery.Schedule()
		for n := 1; ; n++ {
			as := attempts(t, e, d.ID)
			if len(as) != n {
				t.Fatalf("after %d attempts the delivery has %d recorded", n, len(as))
			}
			last := as[n-1]
			if last.Status != http.StatusServiceUnavailable || last.Response == "" {
				t.Fatalf("attempt %d: %+v", n, last)
			}
			if n > 1 {
				wait, want := last.At.Sub(as[n-2].At), schedule[n-2]
				if wait < want*9/10 || wait > want*11/10 {
					t.Errorf("attempt %d came %s after the one before, want %s ± 10%%", n, wait, want)
				}
			}
			d = getDelivery(t, e, d.ID)
			if d.Status != core.DeliveryPending {
				break
			}
			if d.NextAttemptAt.IsZero() {
				t.Fatalf("attempt %d failed with no next attempt: %+v", n, d)
			}
			if n == 3 { // meanwhile the vendor can pull what it missed
				if open := pullOpen(t, e, vf, f.Admin.AccountID); len(open) != 1 || open[0].ID != d.OrderID {
					t.Errorf("open orders the vendor can pull: %+v", open)
				}
			}
			e.Clock.Advance(d.NextAttemptAt.Sub(e.Clock.Now()))
			if e.RunScheduled("vendor_delivery") != 1 {
				t.Fatalf("attempt %d: no delivery job scheduled", n+1)
			}
			e.WaitIdle()
		}
		// The endpoint failed for the threshold: disabled, the delivery over.
		failedFor := d.LastAttemptAt.Sub(start)
		if d.Status != core.DeliveryFailed || failedFor < threshold || failedFor > 24*time.Hour {
			t.Fatalf("after %s of failures the delivery is %s: %s", failedFor, d.Status, d.Message)
		}
		v, err := e.App.Vendors.Get(ctx, vf.Vendor.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.EndpointDisabledAt.IsZero() || v.EndpointDisabledReason == "" {
			t.Fatalf("endpoint not disabled after %s of failures: %+v", failedFor, v)
		}
		o := order(e, f.APIKey, d.OrderID)
		if o.Order.State != "received" || len(o.entries("vendor_call", "→ 503")) != len(attempts(t, e, d.ID)) || len(o.entries("vendor", "failed")) != 1 {
			t.Errorf("order %s%s", o.Order.State, o.dump())
		}

		// Back up: re-enabled by the vendor, replayed by the account's admin.
		down.Store(false)
		before := hits.Load()
		if _, err := e.App.Vendors.EnableWebhook(ctx, v); err != nil {
			t.Fatal(err)
		}
		if _, err := e.App.Service.ReplayDelivery(ctx, f.Admin, d.ID); err != nil {
			t.Fatalf("replay: %v", err)
		}
		vf.Settle(e)
		if d = getDelivery(t, e, d.ID); d.Status != core.DeliveryDelivered || hits.Load() != before+1 {
			t.Fatalf("after the replay the delivery is %s (%d more calls): %s", d.Status, hits.Load()-before, d.Message)
		}
		if got := vf.Program.Received(); len(got) != 1 || got[0].DeliveryID != d.ID {
			t.Fatalf("the vendor received %+v", got)
		}
		if as := attempts(t, e, d.ID); !as[len(as)-1].Replay {
			t.Errorf("the last attempt is not marked a replay: %+v", as[len(as)-1])
		}
		if o := order(e, f.APIKey, d.OrderID); o.Order.State != "in_progress" && o.Order.State != "invited" {
			t.Errorf("after delivery the order is %s", o.Order.State)
		}

		// A healthy endpoint gets each delivery once.
		before = hits.Load()
		pls, err = f.Sim.OrderAdHoc(ctx, f.Company.ID, string(f.Candidate.ID), string(f.Job.ID), f.VacancyIDs[apptest.SRSecondVacancyName], vac.ID)
		if err != nil {
			t.Fatal(err)
		}
		vf.Settle(e)
		if hits.Load() != before+1 || len(vf.Program.Received()) != 2 {
			t.Errorf("a healthy endpoint got %d calls for one order", hits.Load()-before)
		}
	})
}

func onlyDelivery(t *testing.T, e *apptest.Env, vf *apptest.VendorFixture) core.Delivery {
	t.Helper()
	ds, err := e.App.Store.ListDeliveries(context.Background(), vf.Vendor.ID, store.DeliveryFilter{})
	if err != nil || len(ds) != 1 {
		t.Fatalf("deliveries %+v, %v: want one", ds, err)
	}
	return ds[0]
}

func getDelivery(t *testing.T, e *apptest.Env, id string) core.Delivery {
	t.Helper()
	d, err := e.App.Store.GetDelivery(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func attempts(t *testing.T, e *apptest.Env, id string) []core.DeliveryAttempt {
	t.Helper()
	as, err := e.App.Store.ListDeliveryAttempts(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return as
}

// pullOpen lists the vendor's open orders through the vendor API, as a
// vendor that missed deliveries does.
func pullOpen(t *testing.T, e *apptest.Env, vf *apptest.VendorFixture, accountID string) []wire.Order {
	t.Helper()
	var page wire.OrderList
	if status := vendorAPI(t, e, vf.Key, accountID, http.MethodGet, "/unified/ats/assessments/orders?status=open", "", &page); status != http.StatusOK {
		t.Fatalf("open orders: %d", status)
	}
	return page.Data
}

// TestVendorDownForAnInlineOrder: an applicant applies through a vendor's
// inline package while the vendor is down; SmartRecruiters gets an error
// saying so at once (an attempt waits at most 10 s for a slow vendor:
// delivery.TestSendWithoutAnswer), and the order stays to be asked again.
func TestVendorDownForAnInlineOrder(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupSmartRecruiters(apptest.SROptions{})
	ctx := context.Background()
	outage := &apptest.Outage{Path: "/webhooks"}
	vf := e.SetupVendor("Acme Assessments", core.KindAssessment, apptest.VendorOptions{Manual: true, Handler: outage.Wrap}, f.Admin.AccountID)
	job := srInlineJob(t, e, f, vf, "sjt-1")
	outage.Down.Store(true)
	start := time.Now()
	_, err := f.Sim.ApplyInline(ctx, f.Company.ID, string(job.ID), srsim.Applicant{FirstName: "Grace", LastName: "Hopper", Email: "grace@example.com"})
	var pe *srsim.PartnerError
	if !errors.As(err, &pe) || pe.StatusCode != http.StatusBadGateway || !strings.Contains(pe.Body, "could not start the assessment") {
		t.Fatalf("applying while the vendor is down: %v, want a 502 saying the vendor could not start", err)
	}
	if took := time.Since(start); took > 9*time.Second {
		t.Errorf("SmartRecruiters waited %s for the answer", took)
	}
	if len(vf.Program.Received()) != 0 {
		t.Fatalf("the vendor got the order while down")
	}
}
