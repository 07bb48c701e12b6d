package ui_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"switchboard/internal/app/apptest"
	"switchboard/internal/core"
)

// TestEveryPageForEveryRole opens every page of the admin UI as each role and
// checks it renders (200) or is refused with the friendly 403 page.
func TestEveryPageForEveryRole(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupLever(apptest.LeverOptions{})
	ctx := context.Background()
	e.LeverToTrigger(f, "Ada Lovelace", "ada@example.com")
	e.WaitIdle()
	page, err := e.App.Service.Orders(ctx, mustUser(t, e, "admin@acme.example"), storeFilter())
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("orders: %+v, %v", page, err)
	}
	orderID := page.Items[0].ID
	boss := mustUser(t, e, "admin@acme.example")
	vnd, _, err := e.App.Vendors.Create(ctx, "Acme Checks", core.KindBackgroundCheck)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.App.Vendors.Link(ctx, boss, vnd.ID); err != nil {
		t.Fatal(err)
	}
	delivery := e.SeedDelivery(core.Delivery{ID: "msg_roles", VendorID: vnd.ID, AccountID: boss.AccountID, Status: core.DeliveryFailed})

	users := map[core.Role]string{core.RoleSuperAdmin: "admin@acme.example"}
	setPassword(t, e, "admin@acme.example")
	for _, r := range core.Roles[1:] {
		users[r] = "role-" + strings.ReplaceAll(string(r), "_", "-") + "@acme.example"
		addUser(t, e, "admin@acme.example", users[r], r)
	}

	const ok, no = http.StatusOK, http.StatusForbidden
	pages := []struct {
		path string
		want map[core.Role]int // super admin, admin, team member, limited team member
	}{
		{"/orders", all(ok, ok, ok, ok)},
		{"/orders?state=invited&q=ada&from=2000-01-01&to=2999-12-31", all(ok, ok, ok, ok)},
		{"/orders/" + orderID, all(ok, ok, ok, ok)},
		{"/integrations", all(ok, ok, ok, no)},
		{"/integrations/new", all(ok, no, no, no)},
		{"/integrations/" + f.IntegrationID, all(ok, ok, ok, no)},
		{"/integrations/" + f.IntegrationID + "/created", all(ok, no, no, no)},
		{"/vacancies", all(ok, ok, ok, no)},
		{"/vacancies/new", all(ok, ok, no, no)},
		{"/vacancies/" + f.VacancyID, all(ok, ok, no, no)},
		{"/users", all(ok, ok, no, no)},
		{"/vendors", all(ok, ok, ok, no)},
		{"/vendors/" + vnd.ID, all(ok, ok, ok, no)},
		{"/vendors/" + vnd.ID + "?status=failed", all(ok, ok, ok, no)},
		{"/deliveries/" + delivery.ID, all(ok, ok, ok, no)},
		// No role opens the operator pages: the Operator flag does
		// (TestOperatorPagesAreForOperatorsOnly).
		{"/operator/vendors", all(no, no, no, no)},
		{"/operator/vendors/" + vnd.ID, all(no, no, no, no)},
	}
	for _, role := range core.Roles {
		t.Run(string(role), func(t *testing.T) {
			b := newBrowser(t, e.URL)
			if resp, body := b.signIn(users[role], testPassword); resp.StatusCode != ok || !strings.Contains(body, "<h1>Orders") {
				t.Fatalf("sign in: %d %s", resp.StatusCode, body)
			}
			for _, p := range pages {
				resp, body := b.get(p.path)
				if resp.StatusCode != p.want[role] {
					t.Errorf("GET %s: %d, want %d", p.path, resp.StatusCode, p.want[role])
					continue
				}
				if resp.StatusCode == no && !strings.Contains(body, "Not available to your role") && !strings.Contains(body, "For operators only") {
					t.Errorf("GET %s: 403 without the friendly page", p.path)
				}
				if !strings.Contains(body, "</html>") || strings.Contains(body, "Something went wrong") {
					t.Errorf("GET %s: incomplete page", p.path)
				}
			}
		})
	}
}

func all(super, admin, team, limited int) map[core.Role]int {
	return map[core.Role]int{core.RoleSuperAdmin: super, core.RoleAdmin: admin, core.RoleTeamMember: team, core.RoleLimitedTeamMember: limited}
}
