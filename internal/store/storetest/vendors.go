package storetest

import (
	"cmp"
	"errors"
	"slices"
	"testing"
	"time"

	"switchboard/internal/core"
	"switchboard/internal/store"
)

// ---- vendor fixtures ----

func newVendorValue(name string) core.Vendor {
	return core.Vendor{
		ID: core.NewID("vnd"), Name: name, Kind: core.KindAssessment, Status: core.VendorActive,
		CreatedAt: at(1), UpdatedAt: at(1), Version: 1,
	}
}

func newVendor(t *testing.T, q store.Queries, name string) core.Vendor {
	t.Helper()
	v := newVendorValue(name)
	ok(t, q.CreateVendor(t.Context(), v), "create vendor %s", name)
	return v
}

// vendorVacancy is a vendor's package made orderable in an account, not yet
// stored.
func vendorVacancy(accountID, vendorID, packageID string, kind core.Kind) core.Vacancy {
	return core.Vacancy{
		ID: core.NewID("vac"), AccountID: accountID, Name: "Package " + packageID, VendorID: vendorID,
		Kind: kind, VendorPackageID: packageID, Description: "About " + packageID,
		CreatedAt: at(5), UpdatedAt: at(5), Version: 1,
	}
}

func newVendorVacancy(t *testing.T, q store.Queries, accountID, vendorID, packageID string, kind core.Kind) core.Vacancy {
	t.Helper()
	v, err := q.UpsertVendorVacancy(t.Context(), vendorVacancy(accountID, vendorID, packageID, kind))
	ok(t, err, "upsert vacancy of package %s", packageID)
	return v
}

func vendorIDs(vs []core.Vendor) []string {
	return idsOf(vs, func(v core.Vendor) string { return v.ID })
}

// ---- vendors ----

func testVendors(t *testing.T, s store.Store) {
	ctx := t.Context()
	full := core.Vendor{
		ID: core.NewID("vnd"), Name: "Acme Checks", Kind: core.KindBackgroundCheck, Status: core.VendorDisabled,
		WebhookURL: "https://acme.example/hooks", WebhookSecrets: []byte{0, 1, 2, 0xff},
		EndpointDisabledAt: at(10), EndpointDisabledReason: "failing for 5 days", FailingSince: at(5),
		PackagesURL: "https://acme.example/packages", PackagesKey: []byte("sealed key"),
		PackagesError: "timeout", PackagesErrorAt: at(9),
		CreatedAt: at(1), UpdatedAt: at(11), Version: 4,
	}
	bare := newVendorValue("beta tests") // every optional field zero
	for _, v := range []core.Vendor{full, bare} {
		ok(t, s.CreateVendor(ctx, v), "create vendor %s", v.Name)
		got, err := s.GetVendor(ctx, v.ID)
		ok(t, err, "get vendor %s", v.Name)
		equal(t, "vendor "+v.Name, got, v)
	}
	_, err := s.GetVendor(ctx, "vnd_missing")
	isErr(t, err, core.ErrNotFound, "get missing vendor")

	for _, tc := range []struct {
		name string
		v    core.Vendor
	}{
		{"same name in another case", newVendorValue("ACME CHECKS")},
		{"same id", func() core.Vendor { v := newVendorValue("Gamma"); v.ID = full.ID; return v }()},
	} {
		isErr(t, s.CreateVendor(ctx, tc.v), core.ErrConflict, "create vendor: %s", tc.name)
	}

	// By name without case, then id.
	aardvark := newVendor(t, s, "aardvark")
	zeta := newVendor(t, s, "Zeta")
	list, err := s.ListVendors(ctx)
	ok(t, err, "list vendors")
	equal(t, "vendors by name", vendorIDs(list), []string{aardvark.ID, full.ID, bare.ID, zeta.ID})
	equal(t, "listed vendor", list[1], full)
}

func testUpdateVendor(t *testing.T, s store.Store) {
	ctx := t.Context()
	v := newVendor(t, s, "Acme")
	taken := newVendor(t, s, "Taken")

	changed := v
	changed.Name, changed.Kind, changed.Status = "Acme Checks", core.KindBackgroundCheck, core.VendorDisabled
	changed.WebhookURL, changed.WebhookSecrets = "https://acme.example/hooks", []byte("sealed secrets")
	changed.EndpointDisabledAt, changed.EndpointDisabledReason, changed.FailingSince = at(30), "failing", at(20)
	changed.PackagesURL, changed.PackagesKey = "https://acme.example/packages", []byte("sealed key")
	changed.PackagesError, changed.PackagesErrorAt = "502 Bad Gateway", at(25)
	changed.UpdatedAt = at(31)
	changed.CreatedAt = at(99) // never changed
	ok(t, s.UpdateVendor(ctx, changed), "update vendor")
	got, err := s.GetVendor(ctx, v.ID)
	ok(t, err, "get updated vendor")
	want := changed
	want.CreatedAt, want.Version = v.CreatedAt, v.Version+1
	equal(t, "updated vendor", got, want)

	// Back to zero: the times and blobs clear.
	cleared := want
	cleared.WebhookSecrets, cleared.EndpointDisabledAt, cleared.FailingSince = nil, time.Time{}, time.Time{}
	cleared.PackagesKey, cleared.PackagesErrorAt, cleared.PackagesError = nil, time.Time{}, ""
	ok(t, s.UpdateVendor(ctx, cleared), "clear vendor")
	got, err = s.GetVendor(ctx, v.ID)
	ok(t, err, "get cleared vendor")
	cleared.Version++
	equal(t, "cleared vendor", got, cleared)

	isErr(t, s.UpdateVendor(ctx, v), core.ErrConflict, "stale vendor version")
	clash := cleared
	clash.Name = "TAKEN"
	isErr(t, s.UpdateVendor(ctx, clash), core.ErrConflict, "rename to a taken name (%s)", taken.Name)
	missing := v
	missing.ID = "vnd_missing"
	isErr(t, s.UpdateVendor(ctx, missing), core.ErrNotFound, "update missing vendor")
}

func testVendorKeys(t *testing.T, s store.Store) {
	ctx := t.Context()
	v := newVendor(t, s, "Acme")
	other := newVendor(t, s, "Other")

	k := core.VendorKey{ID: core.NewID("vky"), VendorID: v.ID, Prefix: "svk_1234", Hash: "hash-1", CreatedAt: at(2)}
	ok(t, s.CreateVendorKey(ctx, k), "create key")
	got, err := s.GetVendorKeyByHash(ctx, "hash-1")
	ok(t, err, "get key by hash")
	equal(t, "key with zero LastUsedAt", got, k)
	_, err = s.GetVendorKeyByHash(ctx, "hash-2")
	isErr(t, err, core.ErrNotFound, "get key by unknown hash")
	dup := core.VendorKey{ID: core.NewID("vky"), VendorID: other.ID, Prefix: "svk_9", Hash: "hash-1", CreatedAt: at(3)}
	isErr(t, s.CreateVendorKey(ctx, dup), core.ErrConflict, "duplicate hash")

	ok(t, s.TouchVendorKey(ctx, k.ID, at(60)), "touch key")
	k.LastUsedAt = at(60)
	got, err = s.GetVendorKeyByHash(ctx, "hash-1")
	ok(t, err, "get touched key")
	equal(t, "touched key", got, k)
	isErr(t, s.TouchVendorKey(ctx, "vky_missing", at(61)), core.ErrNotFound, "touch missing key")

	k2 := core.VendorKey{ID: core.NewID("vky"), VendorID: v.ID, Prefix: "svk_5678", Hash: "hash-2", CreatedAt: at(5)}
	ok(t, s.CreateVendorKey(ctx, k2), "create second key")
	theirs := core.VendorKey{ID: core.NewID("vky"), VendorID: other.ID, Prefix: "svk_0", Hash: "hash-3", CreatedAt: at(1)}
	ok(t, s.CreateVendorKey(ctx, theirs), "create other vendor's key")
	keys, err := s.ListVendorKeys(ctx, v.ID)
	ok(t, err, "list keys")
	equal(t, "keys oldest first", keys, []core.VendorKey{k, k2})

	isErr(t, s.DeleteVendorKey(ctx, v.ID, theirs.ID), core.ErrNotFound, "delete another vendor's key")
	ok(t, s.DeleteVendorKey(ctx, v.ID, k.ID), "revoke key")
	isErr(t, s.DeleteVendorKey(ctx, v.ID, k.ID), core.ErrNotFound, "revoke a revoked key")
	_, err = s.GetVendorKeyByHash(ctx, "hash-1")
	isErr(t, err, core.ErrNotFound, "a revoked key is gone")
	keys, err = s.ListVendorKeys(ctx, other.ID)
	ok(t, err, "list other vendor's keys")
	equal(t, "other vendor's keys", keys, []core.VendorKey{theirs})
}

func testVendorLinks(t *testing.T, s store.Store) {
	ctx := t.Context()
	acme, globex := newAccount(t, s, "acme"), newAccount(t, s, "globex")
	zeta, beta, lone := newVendor(t, s, "Zeta"), newVendor(t, s, "beta"), newVendor(t, s, "Lone")

	l := core.VendorLink{VendorID: zeta.ID, AccountID: acme.ID, CreatedAt: at(10), CreatedBy: "root@acme.example"}
	for _, tc := range []struct {
		name string
		l    core.VendorLink
		want bool
	}{
		{"first link", l, true},
		{"again, by someone else later", core.VendorLink{VendorID: zeta.ID, AccountID: acme.ID, CreatedAt: at(20), CreatedBy: "x@acme.example"}, false},
		{"another account", core.VendorLink{VendorID: zeta.ID, AccountID: globex.ID, CreatedAt: at(5)}, true},
		{"another vendor", core.VendorLink{VendorID: beta.ID, AccountID: acme.ID, CreatedAt: at(11)}, true},
	} {
		linked, err := s.LinkVendor(ctx, tc.l)
		ok(t, err, "link: %s", tc.name)
		equal(t, "linked: "+tc.name, linked, tc.want)
	}
	got, err := s.GetVendorLink(ctx, zeta.ID, acme.ID)
	ok(t, err, "get link")
	equal(t, "the first link stays", got, l)
	_, err = s.GetVendorLink(ctx, lone.ID, acme.ID)
	isErr(t, err, core.ErrNotFound, "get link of an unlinked vendor")

	links, err := s.ListVendorLinks(ctx, zeta.ID)
	ok(t, err, "list links")
	equal(t, "links oldest first", links, []core.VendorLink{{VendorID: zeta.ID, AccountID: globex.ID, CreatedAt: at(5)}, l})

	vendors, err := s.ListAccountVendors(ctx, acme.ID)
	ok(t, err, "list account vendors")
	equal(t, "account vendors by name", vendorIDs(vendors), []string{beta.ID, zeta.ID})
	equal(t, "listed vendor", vendors[1], zeta)

	ok(t, s.UnlinkVendor(ctx, zeta.ID, acme.ID), "unlink")
	isErr(t, s.UnlinkVendor(ctx, zeta.ID, acme.ID), core.ErrNotFound, "unlink again")
	_, err = s.GetVendorLink(ctx, zeta.ID, acme.ID)
	isErr(t, err, core.ErrNotFound, "get removed link")
	vendors, err = s.ListAccountVendors(ctx, acme.ID)
	ok(t, err, "list account vendors after unlinking")
	equal(t, "account vendors after unlinking", vendorIDs(vendors), []string{beta.ID})
	links, err = s.ListVendorLinks(ctx, zeta.ID)
	ok(t, err, "list links after unlinking")
	equal(t, "the other account's link stays", len(links), 1)
}

// ---- vendor packages ----

func testVendorPackages(t *testing.T, s store.Store) {
	ctx := t.Context()
	v, other := newVendor(t, s, "Acme"), newVendor(t, s, "Other")
	pkg := func(id, name string, src core.PackageSource) core.VendorPackage {
		return core.VendorPackage{VendorID: v.ID, ID: id, Kind: core.KindBackgroundCheck, Name: name,
			Description: "About " + name, Source: src, UpdatedAt: at(len(id))}
	}
	crim, edu := pkg("crim", "Criminal record", core.PackagesStatic), pkg("edu", "Education", core.PackagesStatic)
	// The same id in the pushed set is another package: the sets are apart.
	pushedCrim, pushedRef := pkg("crim", "Criminal (API)", core.PackagesPushed), pkg("ref", "References", core.PackagesPushed)
	theirs := core.VendorPackage{VendorID: other.ID, ID: "crim", Kind: core.KindAssessment, Name: "Theirs", Source: core.PackagesStatic}
	ok(t, s.ReplaceVendorPackages(ctx, other.ID, core.PackagesStatic, []core.VendorPackage{theirs}), "replace other vendor's packages")

	// Packages are given without vendor or source too: the call says them.
	unnamed := edu
	unnamed.VendorID, unnamed.Source = "", ""
	for _, tc := range []struct {
		name string
		src  core.PackageSource
		ps   []core.VendorPackage
		want []core.VendorPackage // every source, by name
	}{
		{"static", core.PackagesStatic, []core.VendorPackage{unnamed, crim}, []core.VendorPackage{crim, edu}},
		{"pushed beside static", core.PackagesPushed, []core.VendorPackage{pushedRef, pushedCrim}, []core.VendorPackage{pushedCrim, crim, edu, pushedRef}},
		{"static again, one gone", core.PackagesStatic, []core.VendorPackage{edu}, []core.VendorPackage{pushedCrim, edu, pushedRef}},
		{"pushed emptied", core.PackagesPushed, nil, []core.VendorPackage{edu}},
	} {
		ok(t, s.ReplaceVendorPackages(ctx, v.ID, tc.src, tc.ps), "replace: %s", tc.name)
		got, err := s.ListVendorPackages(ctx, v.ID)
		ok(t, err, "list: %s", tc.name)
		equal(t, "packages after "+tc.name, got, tc.want)
	}

	// Bad sets change nothing, on the pool and in a transaction.
	wrongSource := crim
	wrongSource.Source = core.PackagesPushed
	for _, tc := range []struct {
		name string
		ps   []core.VendorPackage
	}{
		{"an id twice", []core.VendorPackage{crim, crim}},
		{"a package of another source", []core.VendorPackage{crim, wrongSource}},
		{"a package of another vendor", []core.VendorPackage{crim, theirs}},
		{"a package without id", []core.VendorPackage{crim, {Name: "No id"}}},
	} {
		if err := s.ReplaceVendorPackages(ctx, v.ID, core.PackagesStatic, tc.ps); err == nil {
			t.Fatalf("replace with %s: no error", tc.name)
		}
		// The refusal leaves the caller's transaction usable.
		ok(t, s.InTx(ctx, func(tx store.Tx) error {
			if err := tx.ReplaceVendorPackages(ctx, v.ID, core.PackagesStatic, tc.ps); err == nil {
				t.Fatalf("replace with %s in a transaction: no error", tc.name)
			}
			_, err := tx.ListVendorPackages(ctx, v.ID)
			return err
		}), "a transaction after a refused replace with %s", tc.name)
		got, err := s.ListVendorPackages(ctx, v.ID)
		ok(t, err, "list after %s", tc.name)
		equal(t, "packages after "+tc.name, got, []core.VendorPackage{edu})
	}
	isErr(t, s.ReplaceVendorPackages(ctx, v.ID, core.PackagesStatic, []core.VendorPackage{crim, crim}), core.ErrConflict, "an id twice")

	// In a transaction the replacement is the caller's: rolled back with it.
	boom := errors.New("boom")
	err := s.InTx(ctx, func(tx store.Tx) error {
		ok(t, tx.ReplaceVendorPackages(ctx, v.ID, core.PackagesStatic, []core.VendorPackage{crim}), "replace in a transaction")
		got, err := tx.ListVendorPackages(ctx, v.ID)
		ok(t, err, "list in the transaction")
		equal(t, "packages in the transaction", got, []core.VendorPackage{crim})
		return boom
	})
	isErr(t, err, boom, "rolled back transaction")
	got, err := s.ListVendorPackages(ctx, v.ID)
	ok(t, err, "list after rollback")
	equal(t, "packages after rollback", got, []core.VendorPackage{edu})
	got, err = s.ListVendorPackages(ctx, other.ID)
	ok(t, err, "list other vendor's packages")
	equal(t, "other vendor's packages", got, []core.VendorPackage{theirs})
}

// ---- vendor vacancies ----

func testUpsertVendorVacancy(t *testing.T, s store.Store) {
	ctx := t.Context()
	acme, globex := newAccount(t, s, "acme"), newAccount(t, s, "globex")
	v := newVendor(t, s, "Checks")

	first := vendorVacancy(acme.ID, v.ID, "crim", core.KindBackgroundCheck)
	first.Tag = "SB-crim"
	got, err := s.UpsertVendorVacancy(ctx, first)
	ok(t, err, "insert vendor vacancy")
	equal(t, "inserted vacancy", got, first)

	for _, tc := range []struct {
		name    string
		change  func(*core.Vacancy)
		version int64 // what the stored row's version becomes
	}{
		{"nothing changed", func(*core.Vacancy) {}, 1},
		{"renamed", func(x *core.Vacancy) { x.Name = "Criminal record" }, 2},
		{"kind changed", func(x *core.Vacancy) { x.Kind = core.KindAssessment }, 3},
		{"description changed", func(x *core.Vacancy) { x.Description = "Seven years back" }, 4},
	} {
		stored, err := s.GetVacancy(ctx, first.ID)
		ok(t, err, "get before %s", tc.name)
		again := vendorVacancy(acme.ID, v.ID, "crim", stored.Kind)
		again.Name, again.Description = stored.Name, stored.Description
		again.UpdatedAt = at(100 + int(tc.version))
		tc.change(&again)
		got, err := s.UpsertVendorVacancy(ctx, again)
		ok(t, err, "upsert: %s", tc.name)
		want := stored
		want.Name, want.Kind, want.Description, want.Version = again.Name, again.Kind, again.Description, tc.version
		if tc.version != stored.Version {
			want.UpdatedAt = again.UpdatedAt
		}
		equal(t, "upserted vacancy keeps its id, tag and creation: "+tc.name, got, want)
		stored, err = s.GetVacancy(ctx, first.ID)
		ok(t, err, "get after %s", tc.name)
		equal(t, "stored after "+tc.name, stored, want)
	}

	// The same package in another account is another vacancy; the builtin
	// engine and an empty package id are refused.
	elsewhere := vendorVacancy(globex.ID, v.ID, "crim", core.KindBackgroundCheck)
	got, err = s.UpsertVendorVacancy(ctx, elsewhere)
	ok(t, err, "same package in another account")
	equal(t, "other account's vacancy", got.ID, elsewhere.ID)
	for _, bad := range []core.Vacancy{
		vendorVacancy(acme.ID, core.BuiltinVendorID, "crim", core.KindAssessment),
		vendorVacancy(acme.ID, "", "crim", core.KindAssessment),
		vendorVacancy(acme.ID, v.ID, "", core.KindAssessment),
	} {
		if _, err := s.UpsertVendorVacancy(ctx, bad); err == nil {
			t.Fatalf("upsert vacancy of vendor %q package %q: no error", bad.VendorID, bad.VendorPackageID)
		}
	}
	// Create refuses a second vacancy of one package.
	isErr(t, s.CreateVacancy(ctx, store.EngineVacancy{Vacancy: vendorVacancy(acme.ID, v.ID, "crim", core.KindAssessment)}), core.ErrConflict, "create a second vacancy of a package")
}

func testArchiveVendorVacancies(t *testing.T, s store.Store) {
	ctx := t.Context()
	acme, globex := newAccount(t, s, "acme"), newAccount(t, s, "globex")
	v, other := newVendor(t, s, "Checks"), newVendor(t, s, "Other")
	builtin := newVacancy(t, s, acme.ID, "Engine", "")
	a := newVendorVacancy(t, s, acme.ID, v.ID, "a", core.KindAssessment)
	b := newVendorVacancy(t, s, acme.ID, v.ID, "b", core.KindAssessment)
	c := newVendorVacancy(t, s, acme.ID, v.ID, "c", core.KindBackgroundCheck)
	theirs := newVendorVacancy(t, s, acme.ID, other.ID, "a", core.KindAssessment)
	elsewhere := newVendorVacancy(t, s, globex.ID, v.ID, "a", core.KindAssessment)

	archived := func() map[string]bool {
		t.Helper()
		out := map[string]bool{}
		for _, id := range []string{builtin.ID, a.ID, b.ID, c.ID, theirs.ID, elsewhere.ID} {
			x, err := s.GetVacancy(ctx, id)
			ok(t, err, "get vacancy %s", id)
			out[id] = x.Archived
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		keep   []string
		n      int
		wantOn []string // archived vacancies afterwards
	}{
		{"keep all", []string{"a", "b", "c"}, 0, nil},
		{"drop b", []string{"a", "c", "unknown"}, 1, []string{b.ID}},
		{"drop b again", []string{"a", "c"}, 0, []string{b.ID}},
		{"keep none", nil, 2, []string{a.ID, b.ID, c.ID}},
	} {
		n, err := s.ArchiveVendorVacancies(ctx, acme.ID, v.ID, tc.keep)
		ok(t, err, "archive: %s", tc.name)
		equal(t, "archived count: "+tc.name, n, tc.n)
		want := map[string]bool{builtin.ID: false, a.ID: false, b.ID: false, c.ID: false, theirs.ID: false, elsewhere.ID: false}
		for _, id := range tc.wantOn {
			want[id] = true
		}
		equal(t, "archived vacancies: "+tc.name, archived(), want)
	}
	n, err := s.ArchiveVendorVacancies(ctx, acme.ID, core.BuiltinVendorID, nil)
	ok(t, err, "archive the built-in engine's vacancies")
	equal(t, "built-in vacancies have no package to drop", n, 0)

	// Archiving moves the version on, so a copy read before is stale and
	// cannot bring the vacancy back; upserting the package again does.
	stale := b
	stale.Name = "B renamed"
	isErr(t, s.UpdateVacancy(ctx, store.EngineVacancy{Vacancy: stale}), core.ErrConflict, "update from a copy read before archiving")
	back, err := s.UpsertVendorVacancy(ctx, vendorVacancy(acme.ID, v.ID, "b", core.KindAssessment))
	ok(t, err, "upsert an archived package")
	equal(t, "upserted package's vacancy", back.ID, b.ID)
	equal(t, "upserted package is offered again", back.Archived, false)
}

// ---- deliveries ----

func testDeliveries(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := newWorld(t, s, "acme")
	v := newVendor(t, s, "Checks")
	o := newOrder(t, s, w.integration, w.vacancy.ID, w.candidate.ID, at(1))

	full := core.Delivery{
		ID: core.NewID("msg"), VendorID: v.ID, AccountID: w.account.ID, OrderID: o.ID, Event: "background_check.created",
		Payload: []byte(`{"type":"background_check.created","data":{"id":"` + o.ID + `"}}`), Status: core.DeliveryRejected,
		Attempts: 3, Message: "We do not check this country", LastAttemptAt: at(30), NextAttemptAt: at(40),
		DeliveredAt: at(31), CreatedAt: at(10), UpdatedAt: at(31),
	}
	bare := core.Delivery{ID: core.NewID("msg"), VendorID: v.ID, AccountID: w.account.ID, Event: "vendor.test",
		Status: core.DeliveryPending, CreatedAt: at(11)} // no order, no payload, no times
	for _, d := range []core.Delivery{full, bare} {
		ok(t, s.CreateDelivery(ctx, d), "create delivery %s", d.ID)
		got, err := s.GetDelivery(ctx, d.ID)
		ok(t, err, "get delivery %s", d.ID)
		equal(t, "delivery", got, d)
	}
	isErr(t, s.CreateDelivery(ctx, full), core.ErrConflict, "create a delivery twice")
	_, err := s.GetDelivery(ctx, "msg_missing")
	isErr(t, err, core.ErrNotFound, "get missing delivery")

	changed := bare
	changed.Status, changed.Attempts, changed.Message = core.DeliveryDelivered, 2, "accepted"
	changed.LastAttemptAt, changed.NextAttemptAt, changed.DeliveredAt, changed.UpdatedAt = at(50), at(60), at(50), at(51)
	// What identifies a delivery and what it sent never change.
	moved := changed
	moved.Event, moved.Payload, moved.CreatedAt = "other", []byte("{}"), at(99)
	ok(t, s.UpdateDelivery(ctx, moved), "update delivery")
	got, err := s.GetDelivery(ctx, bare.ID)
	ok(t, err, "get updated delivery")
	equal(t, "updated delivery", got, changed)
	changed.NextAttemptAt = time.Time{}
	ok(t, s.UpdateDelivery(ctx, changed), "clear the next attempt")
	got, err = s.GetDelivery(ctx, bare.ID)
	ok(t, err, "get delivery without a next attempt")
	equal(t, "delivery without a next attempt", got, changed)
	missing := changed
	missing.ID = "msg_missing"
	isErr(t, s.UpdateDelivery(ctx, missing), core.ErrNotFound, "update missing delivery")

	deliveries, err := s.ListOrderDeliveries(ctx, o.ID)
	ok(t, err, "list order deliveries")
	equal(t, "order deliveries", deliveries, []core.Delivery{full})
}

func testListDeliveries(t *testing.T, s store.Store) {
	ctx := t.Context()
	acme, globex := newWorld(t, s, "acme"), newWorld(t, s, "globex")
	v, other := newVendor(t, s, "Checks"), newVendor(t, s, "Other")
	o := newOrder(t, s, acme.integration, acme.vacancy.ID, acme.candidate.ID, at(1))

	const n = 205
	var all []core.Delivery // of v
	ok(t, s.InTx(ctx, func(tx store.Tx) error {
		for i := range n {
			d := core.Delivery{ID: core.NewID("msg"), VendorID: v.ID, AccountID: acme.account.ID, Event: "assessment.created",
				Status: core.DeliveryDelivered, CreatedAt: at(i / 2)} // pairs share a time: ties broken by id
			switch {
			case i%10 == 0:
				d.AccountID = globex.account.ID
			case i%7 == 0:
				d.Status, d.OrderID = core.DeliveryPending, o.ID
			}
			ok(t, tx.CreateDelivery(ctx, d), "create delivery %d", i)
			all = append(all, d)
		}
		return tx.CreateDelivery(ctx, core.Delivery{ID: core.NewID("msg"), VendorID: other.ID, AccountID: acme.account.ID,
			Event: "assessment.created", Status: core.DeliveryPending, CreatedAt: at(500)})
	}), "create deliveries")
	slices.SortFunc(all, func(a, b core.Delivery) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	pick := func(keep func(core.Delivery) bool, most int) []core.Delivery {
		var out []core.Delivery
		for _, d := range all {
			if keep(d) && len(out) < most {
				out = append(out, d)
			}
		}
		return out
	}
	anyD := func(core.Delivery) bool { return true }
	for _, tc := range []struct {
		name string
		f    store.DeliveryFilter
		want []core.Delivery
	}{
		{"default limit", store.DeliveryFilter{}, pick(anyD, 50)},
		{"as asked", store.DeliveryFilter{Limit: 3}, pick(anyD, 3)},
		{"the cap itself", store.DeliveryFilter{Limit: 200}, pick(anyD, 200)},
		{"capped", store.DeliveryFilter{Limit: 1000}, pick(anyD, 200)},
		{"account", store.DeliveryFilter{AccountID: globex.account.ID, Limit: 200},
			pick(func(d core.Delivery) bool { return d.AccountID == globex.account.ID }, 200)},
		{"status", store.DeliveryFilter{Status: core.DeliveryPending, Limit: 200},
			pick(func(d core.Delivery) bool { return d.Status == core.DeliveryPending }, 200)},
		{"account and status", store.DeliveryFilter{AccountID: globex.account.ID, Status: core.DeliveryPending}, nil},
	} {
		got, err := s.ListDeliveries(ctx, v.ID, tc.f)
		ok(t, err, "list deliveries: %s", tc.name)
		equal(t, "deliveries: "+tc.name, got, tc.want)
	}
	got, err := s.ListDeliveries(ctx, "vnd_missing", store.DeliveryFilter{})
	ok(t, err, "list deliveries of an unknown vendor")
	equal(t, "deliveries of an unknown vendor", len(got), 0)

	// An order's deliveries, oldest first.
	got, err = s.ListOrderDeliveries(ctx, o.ID)
	ok(t, err, "list order deliveries")
	want := pick(func(d core.Delivery) bool { return d.OrderID == o.ID }, n)
	slices.Reverse(want)
	equal(t, "order deliveries oldest first", got, want)
}

func testDeliveryAttempts(t *testing.T, s store.Store) {
	ctx := t.Context()
	acme := newAccount(t, s, "acme")
	v := newVendor(t, s, "Checks")
	d := core.Delivery{ID: core.NewID("msg"), VendorID: v.ID, AccountID: acme.ID, Event: "assessment.created",
		Status: core.DeliveryPending, CreatedAt: at(1)}
	ok(t, s.CreateDelivery(ctx, d), "create delivery")
	other := d
	other.ID = core.NewID("msg")
	ok(t, s.CreateDelivery(ctx, other), "create other delivery")

	attempts := []core.DeliveryAttempt{
		{DeliveryID: d.ID, At: at(10), Error: "connection refused"}, // no response
		{DeliveryID: d.ID, At: at(20), Status: 503, Duration: 1234567891 * time.Nanosecond, Response: "down\x00\xff for now"},
		{DeliveryID: d.ID, At: at(20), Status: 200, Duration: time.Millisecond, Response: `{"test_url":"https://x"}`, Replay: true},
	}
	var last int64
	for i := range attempts {
		id, err := s.AddDeliveryAttempt(ctx, attempts[i])
		ok(t, err, "add attempt %d", i)
		if id <= last {
			t.Fatalf("attempt %d has id %d, not after %d", i, id, last)
		}
		attempts[i].ID, last = id, id
	}
	_, err := s.AddDeliveryAttempt(ctx, core.DeliveryAttempt{DeliveryID: other.ID, At: at(5), Status: 500})
	ok(t, err, "add other delivery's attempt")

	got, err := s.ListDeliveryAttempts(ctx, d.ID)
	ok(t, err, "list attempts")
	equal(t, "attempts oldest first", got, attempts)
	got, err = s.ListDeliveryAttempts(ctx, "msg_missing")
	ok(t, err, "list attempts of an unknown delivery")
	equal(t, "attempts of an unknown delivery", len(got), 0)
}

// ---- vendor orders ----

func testListVendorOrders(t *testing.T, s store.Store) {
	ctx := t.Context()
	acme, globex := newWorld(t, s, "acme"), newWorld(t, s, "globex")
	v, other := newVendor(t, s, "Checks"), newVendor(t, s, "Other")
	assessment := newVendorVacancy(t, s, acme.account.ID, v.ID, "a", core.KindAssessment)
	check := newVendorVacancy(t, s, acme.account.ID, v.ID, "c", core.KindBackgroundCheck)
	theirs := newVendorVacancy(t, s, acme.account.ID, other.ID, "a", core.KindAssessment)
	elsewhere := newVendorVacancy(t, s, globex.account.ID, v.ID, "a", core.KindAssessment)

	mk := func(w world, vacancyID string, state core.State, sec int) core.Order {
		t.Helper()
		o := newOrder(t, s, w.integration, vacancyID, w.candidate.ID, at(sec))
		if state != o.State {
			o.State = state
			ok(t, s.UpdateOrder(ctx, o), "set state %s", state)
			o.Version++
		}
		return o
	}
	// Ties in time are broken by id.
	var mine []core.Order
	for i, st := range core.States {
		mine = append(mine, mk(acme, assessment.ID, st, 10+i/2), mk(acme, check.ID, st, 10+i/2))
	}
	mk(acme, acme.vacancy.ID, core.StateInvited, 12) // the built-in engine's
	mk(acme, theirs.ID, core.StateInvited, 12)       // another vendor's
	mk(globex, elsewhere.ID, core.StateInvited, 12)  // another account's
	mk(acme, "", core.StateReceived, 12)             // no vacancy yet
	slices.SortFunc(mine, func(a, b core.Order) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	pick := func(keep func(core.Order) bool) []core.Order {
		var out []core.Order
		for _, o := range mine {
			if keep(o) {
				out = append(out, o)
			}
		}
		return out
	}
	open := func(o core.Order) bool {
		return o.State == core.StateReceived || o.State == core.StateInvited || o.State == core.StateInProgress
	}
	closed := slices.IndexFunc(mine, func(o core.Order) bool { return !open(o) })
	for _, tc := range []struct {
		name string
		f    store.VendorOrderFilter
		want []core.Order
	}{
		{"all", store.VendorOrderFilter{}, mine},
		{"open", store.VendorOrderFilter{Open: true}, pick(open)},
		{"background checks", store.VendorOrderFilter{Kind: core.KindBackgroundCheck},
			pick(func(o core.Order) bool { return o.VacancyID == check.ID })},
		{"open assessments", store.VendorOrderFilter{Kind: core.KindAssessment, Open: true},
			pick(func(o core.Order) bool { return o.VacancyID == assessment.ID && open(o) })},
		{"after the third", store.VendorOrderFilter{After: mine[2].ID, Limit: 4}, mine[3:7]},
		// The cursor may have left the filter since: an order completed.
		{"open after a closed one", store.VendorOrderFilter{After: mine[closed].ID, Open: true},
			slices.DeleteFunc(slices.Clone(mine[closed+1:]), func(o core.Order) bool { return !open(o) })},
		{"after the last", store.VendorOrderFilter{After: mine[len(mine)-1].ID}, nil},
	} {
		got, err := s.ListVendorOrders(ctx, v.ID, acme.account.ID, tc.f)
		ok(t, err, "list vendor orders: %s", tc.name)
		if len(got) == 0 && len(tc.want) == 0 {
			continue
		}
		equal(t, "vendor orders: "+tc.name, got, tc.want)
	}

	// Page through everything, two at a time.
	var paged []core.Order
	for f := (store.VendorOrderFilter{Limit: 2}); ; {
		page, err := s.ListVendorOrders(ctx, v.ID, acme.account.ID, f)
		ok(t, err, "page after %q", f.After)
		if len(page) > 2 {
			t.Fatalf("page of %d orders, limit 2", len(page))
		}
		if len(page) == 0 {
			break
		}
		paged = append(paged, page...)
		f.After = page[len(page)-1].ID
	}
	equal(t, "paged vendor orders", paged, mine)

	// A cursor that is not one of the vendor's orders in the account is
	// an error, not the end of the list.
	for _, after := range []string{"ord_missing", mine[0].ID} {
		_, err := s.ListVendorOrders(ctx, other.ID, acme.account.ID, store.VendorOrderFilter{After: after})
		isErr(t, err, core.ErrNotFound, "cursor %s of another vendor", after)
	}
	_, err := s.ListVendorOrders(ctx, v.ID, globex.account.ID, store.VendorOrderFilter{After: mine[0].ID})
	isErr(t, err, core.ErrNotFound, "cursor of another account")
}

func testListVendorOrdersLimits(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := newWorld(t, s, "acme")
	v := newVendor(t, s, "Checks")
	vac := newVendorVacancy(t, s, w.account.ID, v.ID, "a", core.KindAssessment)
	const n = 255
	ok(t, s.InTx(ctx, func(tx store.Tx) error {
		for i := range n {
			newOrder(t, tx, w.integration, vac.ID, w.candidate.ID, at(i))
		}
		return nil
	}), "create %d orders", n)
	for _, tc := range []struct{ limit, want int }{
		{0, 25}, {-1, 25}, {10, 10}, {250, 250}, {1000, 250},
	} {
		got, err := s.ListVendorOrders(ctx, v.ID, w.account.ID, store.VendorOrderFilter{Limit: tc.limit})
		ok(t, err, "limit %d", tc.limit)
		equal(t, "orders at limit", len(got), tc.want)
	}
}

// ---- files ----

func testFiles(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := newWorld(t, s, "acme")
	o := newOrder(t, s, w.integration, w.vacancy.ID, w.candidate.ID, at(1))
	full := core.StoredFile{ID: core.NewID("fil"), AccountID: w.account.ID, OrderID: o.ID, Name: "report.pdf",
		ContentType: "application/pdf", SHA256: "ab12", Data: []byte("%PDF-1.7\x00\xff"), CreatedAt: at(2)}
	bare := core.StoredFile{ID: core.NewID("fil"), AccountID: w.account.ID, Name: "empty.txt", ContentType: "text/plain", CreatedAt: at(3)}
	for _, f := range []core.StoredFile{full, bare} {
		ok(t, s.SaveFile(ctx, f), "save file %s", f.Name)
		got, err := s.GetFile(ctx, f.ID)
		ok(t, err, "get file %s", f.Name)
		equal(t, "file "+f.Name, got, f)
	}
	isErr(t, s.SaveFile(ctx, full), core.ErrConflict, "save a file id twice")
	_, err := s.GetFile(ctx, "fil_missing")
	isErr(t, err, core.ErrNotFound, "get missing file")
}
