package ui_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"switchboard/internal/app/apptest"
	"switchboard/internal/store"
)

// TestReinviteFromTheOrderPage: an expired order's page offers Re-invite;
// pressing it lands on the new order, invited, with a flash saying a new
// link is on its way.
func TestReinviteFromTheOrderPage(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupLever(apptest.LeverOptions{})
	ctx := context.Background()
	e.LeverToTrigger(f, "Ada Lovelace", "ada@example.com")
	e.WaitIdle()
	e.Clock.Advance(8 * 24 * time.Hour)
	if n, err := e.App.Engine.ExpireDue(ctx); n != 1 || err != nil {
		t.Fatalf("expire due: %d %v", n, err)
	}
	e.WaitIdle()
	owner := mustUser(t, e, "admin@acme.example")
	page, err := e.App.Store.ListOrders(ctx, owner.AccountID, store.OrderFilter{})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("orders: %+v %v", page, err)
	}
	expiredID := page.Items[0].ID

	setPassword(t, e, "admin@acme.example")
	b := newBrowser(t, e.URL)
	b.signIn("admin@acme.example", testPassword)
	_, body := b.get("/orders/" + expiredID)
	if !strings.Contains(body, "Re-invite (new link)") {
		t.Fatal("the expired order's page offers no Re-invite")
	}
	resp, body := b.post("/orders/"+expiredID+"/resend", nil)
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path == "/orders/"+expiredID ||
		!strings.HasPrefix(resp.Request.URL.Path, "/orders/ord_") || !strings.Contains(body, "new link") {
		t.Fatalf("after Re-invite: %d at %s", resp.StatusCode, resp.Request.URL.Path)
	}
	if !strings.Contains(body, `id="order-state">Invited`) && !strings.Contains(body, "Invited</span>") {
		t.Errorf("the new order is not shown invited")
	}
}
