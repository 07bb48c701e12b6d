package storetest

import (
	"fmt"
	"testing"
	"time"

	"switchboard/internal/assess"
	"switchboard/internal/core"
	"switchboard/internal/store"
)

func testBasics(t *testing.T, s store.Store) {
	switch d := s.Dialect(); d {
	case "sqlite", "postgres":
	default:
		t.Fatalf("Dialect() = %q, want sqlite or postgres", d)
	}
	if s.Writer() == nil {
		t.Fatal("Writer() is nil")
	}
	ok(t, s.Writer().PingContext(t.Context()), "ping writer")
}

func testMigrateIdempotent(t *testing.T, s store.Store) {
	a := newAccount(t, s, "before")
	ok(t, s.Migrate(t.Context()), "second migrate")
	ok(t, s.Migrate(t.Context()), "third migrate")
	got, err := s.GetAccount(t.Context(), a.ID)
	ok(t, err, "get account after migrate")
	equal(t, "account", got, a)
}

func testTimePrecision(t *testing.T, s store.Store) {
	ctx := t.Context()
	// Nanoseconds, a zone other than UTC and a monotonic reading all go;
	// what comes back is the same instant in UTC, truncated to microseconds.
	zone := time.FixedZone("UTC+5:30", 5*3600+1800)
	in := time.Date(2024, 2, 29, 23, 59, 59, 987654321, zone)
	want := time.Date(2024, 2, 29, 18, 29, 59, 987654000, time.UTC)
	a := core.Account{ID: core.NewID("acc"), Name: "t", CreatedAt: in}
	ok(t, s.CreateAccount(ctx, a), "create account")
	got, err := s.GetAccount(ctx, a.ID)
	ok(t, err, "get account")
	equal(t, "created at", got.CreatedAt, want)
	if got.CreatedAt.Location() != time.UTC {
		t.Fatalf("location %v, want UTC", got.CreatedAt.Location())
	}

	now := time.Now() // has a monotonic reading
	b := core.Account{ID: core.NewID("acc"), Name: "now", CreatedAt: now}
	ok(t, s.CreateAccount(ctx, b), "create account")
	got, err = s.GetAccount(ctx, b.ID)
	ok(t, err, "get account")
	equal(t, "now", got.CreatedAt, now.Truncate(time.Microsecond).UTC().Round(0))

	// Times before 1970 and far ahead survive too.
	for _, ts := range []time.Time{
		time.Date(1969, 7, 20, 20, 17, 40, 1000, time.UTC),
		time.Date(2199, 12, 31, 23, 59, 59, 999999000, time.UTC),
	} {
		c := core.Account{ID: core.NewID("acc"), Name: "edge", CreatedAt: ts}
		ok(t, s.CreateAccount(ctx, c), "create account at %v", ts)
		got, err := s.GetAccount(ctx, c.ID)
		ok(t, err, "get account")
		equal(t, "edge time", got.CreatedAt, ts)
	}
}

func testAccounts(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := core.Account{ID: core.NewID("acc"), Name: "Acme", CreatedAt: at(0)}
	b := core.Account{ID: core.NewID("acc"), Name: "Globex", CreatedAt: at(5)}
	ok(t, s.CreateAccount(ctx, b), "create b")
	ok(t, s.CreateAccount(ctx, a), "create a")

	got, err := s.GetAccount(ctx, a.ID)
	ok(t, err, "get account")
	equal(t, "account", got, a)

	_, err = s.GetAccount(ctx, "acc_missing")
	isErr(t, err, core.ErrNotFound, "get missing account")

	isErr(t, s.CreateAccount(ctx, core.Account{ID: a.ID, Name: "dup", CreatedAt: at(9)}), core.ErrConflict, "duplicate account id")

	list, err := s.ListAccounts(ctx)
	ok(t, err, "list accounts")
	equal(t, "accounts oldest first", list, []core.Account{a, b})
}

func testUsers(t *testing.T, s store.Store) {
	ctx := t.Context()
	acme := newAccount(t, s, "acme")
	other := newAccount(t, s, "other")
	u := core.User{
		ID: core.NewID("usr"), AccountID: acme.ID, Email: "Ann.Lee@Example.com", Name: "Ann Lee",
		Role: core.RoleAdmin, PasswordHash: "$argon2id$v=19$hash", CreatedAt: at(1),
	}
	ok(t, s.CreateUser(ctx, u), "create user")
	api := core.User{ID: core.NewID("usr"), AccountID: acme.ID, Email: "bot@example.com", Name: "Bot", Role: core.RoleTeamMember, CreatedAt: at(2)}
	ok(t, s.CreateUser(ctx, api), "create API-only user")
	o := core.User{ID: core.NewID("usr"), AccountID: other.ID, Email: "x@other.example", Name: "X", Role: core.RoleSuperAdmin, CreatedAt: at(3)}
	ok(t, s.CreateUser(ctx, o), "create other user")

	got, err := s.GetUser(ctx, u.ID)
	ok(t, err, "get user")
	equal(t, "user", got, u)

	got, err = s.GetUserByEmail(ctx, "ann.lee@EXAMPLE.COM")
	ok(t, err, "get user by email, other case")
	equal(t, "user by email", got, u)

	_, err = s.GetUser(ctx, "usr_missing")
	isErr(t, err, core.ErrNotFound, "get missing user")
	_, err = s.GetUserByEmail(ctx, "nobody@example.com")
	isErr(t, err, core.ErrNotFound, "get user by missing email")

	dup := core.User{ID: core.NewID("usr"), AccountID: other.ID, Email: "ANN.LEE@example.COM", Name: "Imposter", Role: core.RoleAdmin, CreatedAt: at(4)}
	isErr(t, s.CreateUser(ctx, dup), core.ErrConflict, "email taken in another case and account")

	list, err := s.ListUsers(ctx, acme.ID)
	ok(t, err, "list users")
	equal(t, "users of acme", list, []core.User{u, api})

	// Name, role and deactivation change; email, password and creation stay.
	changed := u
	changed.Name, changed.Role, changed.DeactivatedAt = "Ann B. Lee", core.RoleTeamMember, at(9)
	changed.Email, changed.PasswordHash = "ignored@example.com", "ignored"
	ok(t, s.UpdateUser(ctx, changed), "update user")
	got, err = s.GetUser(ctx, u.ID)
	ok(t, err, "get updated user")
	want := u
	want.Name, want.Role, want.DeactivatedAt = "Ann B. Lee", core.RoleTeamMember, at(9)
	equal(t, "updated user", got, want)
	equal(t, "deactivated user is not active", got.Active(), false)
	isErr(t, s.UpdateUser(ctx, core.User{ID: "usr_missing", Role: core.RoleAdmin}), core.ErrNotFound, "update a missing user")

	// The operator flag: created with a user, set and cleared on its own,
	// and left alone by UpdateUser.
	op := core.User{ID: core.NewID("usr"), AccountID: other.ID, Email: "op@other.example", Name: "Op", Role: core.RoleAdmin, CreatedAt: at(5), Operator: true}
	ok(t, s.CreateUser(ctx, op), "create operator")
	got, err = s.GetUser(ctx, op.ID)
	ok(t, err, "get operator")
	equal(t, "operator", got, op)
	ok(t, s.SetUserOperator(ctx, u.ID, true), "make a user operator")
	got, err = s.GetUserByEmail(ctx, u.Email)
	ok(t, err, "get new operator")
	equal(t, "operator flag set", got.Operator, true)
	ok(t, s.UpdateUser(ctx, got), "update operator")
	got, err = s.GetUser(ctx, u.ID)
	ok(t, err, "get updated operator")
	equal(t, "UpdateUser keeps the operator flag", got.Operator, true)
	ok(t, s.SetUserOperator(ctx, u.ID, false), "clear operator")
	got, err = s.GetUser(ctx, u.ID)
	ok(t, err, "get former operator")
	equal(t, "operator flag cleared", got.Operator, false)
	isErr(t, s.SetUserOperator(ctx, "usr_missing", true), core.ErrNotFound, "set operator of a missing user")
}

func testSuperAdmins(t *testing.T, s store.Store) {
	ctx := t.Context()
	acme := newAccount(t, s, "acme")
	other := newAccount(t, s, "other")
	mk := func(id, account string, role core.Role, deactivated time.Time) {
		ok(t, s.CreateUser(ctx, core.User{ID: id, AccountID: account, Email: id + "@example.com", Name: id, Role: role,
			CreatedAt: at(1), DeactivatedAt: deactivated}), "create user %s", id)
	}
	mk("usr_a", acme.ID, core.RoleSuperAdmin, time.Time{})
	mk("usr_b", acme.ID, core.RoleSuperAdmin, time.Time{})
	mk("usr_gone", acme.ID, core.RoleSuperAdmin, at(5))
	mk("usr_admin", acme.ID, core.RoleAdmin, time.Time{})
	mk("usr_other", other.ID, core.RoleSuperAdmin, time.Time{})

	ids, err := s.ListActiveSuperAdminIDs(ctx, acme.ID)
	ok(t, err, "list super admins")
	equal(t, "active super admins of acme", ids, []string{"usr_a", "usr_b"})
	ok(t, s.InTx(ctx, func(tx store.Tx) error {
		ids, err = tx.ListActiveSuperAdminIDs(ctx, other.ID)
		return err
	}), "list super admins in a transaction")
	equal(t, "active super admins of other", ids, []string{"usr_other"})
}

func testAPIKeys(t *testing.T, s store.Store) {
	ctx := t.Context()
	acme := newAccount(t, s, "acme")
	u := newUser(t, s, acme.ID, "A", "a@acme.example")

	k := core.APIKey{ID: core.NewID("key"), UserID: u.ID, AccountID: acme.ID, Prefix: "sb_12345", Hash: "hash-1", CreatedAt: at(2)}
	ok(t, s.CreateAPIKey(ctx, k), "create key")
	got, err := s.GetAPIKeyByHash(ctx, "hash-1")
	ok(t, err, "get key by hash")
	equal(t, "key with zero LastUsedAt", got, k)

	_, err = s.GetAPIKeyByHash(ctx, "hash-2")
	isErr(t, err, core.ErrNotFound, "get key by unknown hash")

	dup := core.APIKey{ID: core.NewID("key"), UserID: u.ID, AccountID: acme.ID, Prefix: "sb_9", Hash: "hash-1", CreatedAt: at(3)}
	isErr(t, s.CreateAPIKey(ctx, dup), core.ErrConflict, "duplicate hash")

	ok(t, s.TouchAPIKey(ctx, k.ID, at(60)), "touch key")
	got, err = s.GetAPIKeyByHash(ctx, "hash-1")
	ok(t, err, "get touched key")
	k.LastUsedAt = at(60)
	equal(t, "touched key", got, k)

	isErr(t, s.TouchAPIKey(ctx, "key_missing", at(61)), core.ErrNotFound, "touch missing key")

	got, err = s.GetAPIKey(ctx, k.ID)
	ok(t, err, "get key by id")
	equal(t, "key by id", got, k)
	_, err = s.GetAPIKey(ctx, "key_missing")
	isErr(t, err, core.ErrNotFound, "get missing key")

	k2 := core.APIKey{ID: core.NewID("key"), UserID: u.ID, AccountID: acme.ID, Prefix: "sb_67890", Hash: "hash-2", CreatedAt: at(5)}
	ok(t, s.CreateAPIKey(ctx, k2), "create second key")
	keys, err := s.ListAPIKeys(ctx, u.ID)
	ok(t, err, "list keys")
	equal(t, "keys oldest first", keys, []core.APIKey{k, k2})

	ok(t, s.DeleteAPIKey(ctx, k.ID), "revoke key")
	_, err = s.GetAPIKeyByHash(ctx, "hash-1")
	isErr(t, err, core.ErrNotFound, "a revoked key is gone")
	isErr(t, s.DeleteAPIKey(ctx, k.ID), core.ErrNotFound, "revoke a revoked key")
	keys, err = s.ListAPIKeys(ctx, u.ID)
	ok(t, err, "list keys after revoking")
	equal(t, "keys after revoking", keys, []core.APIKey{k2})
}

func testIntegrations(t *testing.T, s store.Store) {
	ctx := t.Context()
	acme := newAccount(t, s, "acme")
	other := newAccount(t, s, "other")

	in := core.Integration{
		ID:        core.NewID("int"),
		AccountID: acme.ID,
		Provider:  "lever",
		Name:      "Lever EU",
		Status:    core.IntegrationDraft,
		Patterns:  []core.Pattern{core.PatternAdHoc, core.PatternInline},
		Settings:  map[string]string{"base_url": "https://api.eu.lever.co", "trigger_stage": "Assessment", "quote": `"q" & <t>`},
		WriteBack: core.WriteBackConfig{
			ScoreField:      core.FieldMapping{Enabled: true, FieldID: "f-score"},
			LabelField:      core.FieldMapping{Enabled: true, FieldID: "f-label"},
			LabelValues:     map[string]string{"Great fit": "v1", "Poor fit": "v3"},
			IndicatorFields: map[string]core.FieldMapping{"cognitive": {Enabled: true, FieldID: "f-cog"}},
			Reports:         core.ReportConfig{DetailPageURL: true, PDFFile: true, SignedReportURL: true},
		},
		CreatedAt: at(1),
		UpdatedAt: at(2),
		Version:   1,
	}
	ok(t, s.CreateIntegration(ctx, in), "create integration")
	got, err := s.GetIntegration(ctx, in.ID)
	ok(t, err, "get integration")
	equal(t, "integration", got, in)

	// Empty JSON fields come back as they went in.
	bare := core.Integration{ID: core.NewID("int"), AccountID: acme.ID, Provider: "greenhouse", Status: core.IntegrationDisabled, CreatedAt: at(3)}
	ok(t, s.CreateIntegration(ctx, bare), "create bare integration")
	got, err = s.GetIntegration(ctx, bare.ID)
	ok(t, err, "get bare integration")
	equal(t, "bare integration", got, bare)

	_, err = s.GetIntegration(ctx, "int_missing")
	isErr(t, err, core.ErrNotFound, "get missing integration")

	second := in
	second.ID = core.NewID("int")
	isErr(t, s.CreateIntegration(ctx, second), core.ErrConflict, "second lever integration of the same name in one account")
	// More than one integration of one ATS (two Workable subdomains), each
	// with its own name.
	named := in
	named.ID, named.Name, named.CreatedAt = core.NewID("int"), in.Name+" (EU)", at(4)
	ok(t, s.CreateIntegration(ctx, named), "second lever integration of another name")
	renamed := named
	renamed.Name = in.Name
	isErr(t, s.UpdateIntegration(ctx, renamed), core.ErrConflict, "rename to the name of the account's other lever integration")

	elsewhere := in
	elsewhere.ID = core.NewID("int")
	elsewhere.AccountID = other.ID
	ok(t, s.CreateIntegration(ctx, elsewhere), "lever integration in another account")

	list, err := s.ListIntegrations(ctx, acme.ID)
	ok(t, err, "list integrations")
	equal(t, "integrations of acme", list, []core.Integration{in, bare, named})
}

func testUpdateIntegration(t *testing.T, s store.Store) {
	ctx := t.Context()
	acme := newAccount(t, s, "acme")
	in := newIntegration(t, s, acme.ID, "lever")

	changed := in
	changed.Name = "Renamed"
	changed.Status = core.IntegrationDisabled
	changed.Patterns = []core.Pattern{core.PatternInline}
	changed.Settings = map[string]string{"tag_prefix": "sb-"}
	changed.WriteBack.ScoreField = core.FieldMapping{Enabled: true, FieldID: "score"}
	changed.UpdatedAt = at(100)
	ok(t, s.UpdateIntegration(ctx, changed), "update integration")

	got, err := s.GetIntegration(ctx, in.ID)
	ok(t, err, "get updated integration")
	changed.Version = in.Version + 1
	equal(t, "updated integration", got, changed)

	stale := in // still carries the old version
	stale.Name = "Lost update"
	isErr(t, s.UpdateIntegration(ctx, stale), core.ErrConflict, "update with stale version")
	got, err = s.GetIntegration(ctx, in.ID)
	ok(t, err, "get integration after stale update")
	equal(t, "integration after stale update", got, changed)

	missing := in
	missing.ID = "int_missing"
	isErr(t, s.UpdateIntegration(ctx, missing), core.ErrNotFound, "update missing integration")
}

func testCredentials(t *testing.T, s store.Store) {
	ctx := t.Context()
	acme := newAccount(t, s, "acme")
	in := newIntegration(t, s, acme.ID, "lever")
	other := newIntegration(t, s, acme.ID, "greenhouse")

	token := core.Credential{IntegrationID: in.ID, Name: "api_token", Ciphertext: []byte{0, 1, 2, 0xff, 0}, SetAt: at(1)}
	secret := core.Credential{IntegrationID: in.ID, Name: "signing_secret", Ciphertext: []byte("sealed"), SetAt: at(2)}
	ok(t, s.SetCredential(ctx, secret), "set secret")
	ok(t, s.SetCredential(ctx, token), "set token")
	ok(t, s.SetCredential(ctx, core.Credential{IntegrationID: other.ID, Name: "api_token", Ciphertext: []byte("x"), SetAt: at(3)}), "set other")

	token.Ciphertext = []byte("rotated")
	token.SetAt = at(50)
	ok(t, s.SetCredential(ctx, token), "replace token")

	list, err := s.ListCredentials(ctx, in.ID)
	ok(t, err, "list credentials")
	equal(t, "credentials by name", list, []core.Credential{token, secret})

	list, err = s.ListCredentials(ctx, "int_missing")
	ok(t, err, "list credentials of missing integration")
	equal(t, "no credentials", len(list), 0)

	ok(t, s.DeleteCredential(ctx, in.ID, "api_token"), "delete token")
	ok(t, s.DeleteCredential(ctx, in.ID, "api_token"), "delete token again")
	list, err = s.ListCredentials(ctx, in.ID)
	ok(t, err, "list credentials after delete")
	equal(t, "credentials after delete", list, []core.Credential{secret})
	list, err = s.ListCredentials(ctx, other.ID)
	ok(t, err, "list other integration's credentials")
	equal(t, "other integration keeps its token", len(list), 1)
}

func testVacancies(t *testing.T, s store.Store) {
	ctx := t.Context()
	acme := newAccount(t, s, "acme")
	other := newAccount(t, s, "other")

	v := store.EngineVacancy{Vacancy: core.Vacancy{
		ID:        core.NewID("vac"),
		AccountID: acme.ID,
		Name:      "Backend engineer",
		VendorID:  core.BuiltinVendorID,
		Kind:      core.KindBackgroundCheck,
		// A package id is the vendor's; stored as given for any vendor.
		VendorPackageID: "pkg-backend",
		Description:     "Checks the <b>backend</b>",
		Archived:        true,
		Tag:             "SB-backend",
		Inline:          true,
		ExpiryDays:      14,
		ReturnURL:       "https://careers.acme.example/done",
		CreatedAt:       at(1),
		UpdatedAt:       at(2),
		Version:         3,
	}, Package: samplePackage(), Thresholds: assess.Thresholds{GreatFit: 80, GoodFit: 55}}
	ok(t, s.CreateVacancy(ctx, v), "create vacancy")
	// Read back, the vacancy lists the engine's modules as its parts.
	v.Parts = []core.PackagePart{{Key: "cognitive", Name: "Cognitive ability", Description: "Reasoning with numbers"}}
	equal(t, "parts of the sample package", store.EngineParts(v.Package), v.Parts)
	got, err := s.GetVacancy(ctx, v.ID)
	ok(t, err, "get vacancy")
	equal(t, "vacancy", got, v.Vacancy)
	gotEngine, err := s.GetEngineVacancy(ctx, v.ID)
	ok(t, err, "get engine vacancy")
	equal(t, "engine vacancy", gotEngine, v)

	_, err = s.GetVacancy(ctx, "vac_missing")
	isErr(t, err, core.ErrNotFound, "get missing vacancy")

	// A vacancy written without a vendor or kind is the built-in engine's
	// assessment: none reads back without them.
	bare := newVacancyValue(acme.ID, "Bare", "")
	bare.VendorID, bare.Kind = "", ""
	bare.CreatedAt = at(12) // listed last
	ok(t, s.CreateVacancy(ctx, bare), "create vacancy without vendor and kind")
	got, err = s.GetVacancy(ctx, bare.ID)
	ok(t, err, "get vacancy without vendor and kind")
	bare.VendorID, bare.Kind = core.BuiltinVendorID, core.KindAssessment
	equal(t, "vacancy without vendor and kind", got, bare.Vacancy)

	sameTag := newVacancyValue(acme.ID, "Clone", "SB-backend")
	isErr(t, s.CreateVacancy(ctx, sameTag), core.ErrConflict, "same tag in one account")

	ok(t, s.CreateVacancy(ctx, newVacancyValue(other.ID, "Elsewhere", "SB-backend")), "same tag in another account")
	untagged1 := newVacancyValue(acme.ID, "Untagged 1", "")
	untagged2 := newVacancyValue(acme.ID, "Untagged 2", "")
	untagged2.CreatedAt = at(11)
	ok(t, s.CreateVacancy(ctx, untagged1), "first untagged vacancy")
	ok(t, s.CreateVacancy(ctx, untagged2), "second untagged vacancy: empty tags do not clash")

	list, err := s.ListVacancies(ctx, acme.ID)
	ok(t, err, "list vacancies")
	ids := make([]string, len(list))
	for i, x := range list {
		ids[i] = x.ID
	}
	equal(t, "vacancies of acme", ids, []string{v.ID, untagged1.ID, untagged2.ID, bare.ID})
	equal(t, "listed vacancy", list[0], v.Vacancy)
	engineList, err := s.ListEngineVacancies(ctx, acme.ID)
	ok(t, err, "list engine vacancies")
	equal(t, "engine vacancies of acme", len(engineList), len(list))
	equal(t, "listed engine vacancy", engineList[0], v)
}

// newVacancyValue is a built-in vacancy as the store reads it back (Parts
// from its package).
func newVacancyValue(accountID, name, tag string) store.EngineVacancy {
	return store.EngineVacancy{Vacancy: core.Vacancy{
		ID: core.NewID("vac"), AccountID: accountID, Name: name, VendorID: core.BuiltinVendorID, Kind: core.KindAssessment,
		Tag: tag, CreatedAt: at(10), UpdatedAt: at(10), Version: 1,
	}, Package: samplePackage(), Thresholds: assess.DefaultThresholds()}.WithParts()
}

func testUpdateVacancy(t *testing.T, s store.Store) {
	ctx := t.Context()
	acme := newAccount(t, s, "acme")
	v := newVacancy(t, s, acme.ID, "Sales", "SB-sales")
	taken := newVacancy(t, s, acme.ID, "Support", "SB-support")

	changed := v
	changed.Name = "Sales (EMEA)"
	changed.Package = samplePackage() // a copy: v's modules must stay as stored
	changed.Package.Modules[0].Name = "Numbers"
	changed.Thresholds = assess.Thresholds{GreatFit: 90, GoodFit: 60}
	// Parts follow the package; what an update is given of them is not stored.
	changed.Parts = nil
	changed.Tag = "SB-sales-emea"
	changed.Inline = true
	changed.ExpiryDays = 3
	changed.ReturnURL = ""
	changed.Kind = core.KindBackgroundCheck
	changed.Description = "Sales, EMEA"
	changed.Archived = true
	changed.UpdatedAt = at(100)
	// The vendor and its package id say whose the vacancy is: an update
	// leaves them.
	moved := changed
	moved.VendorID, moved.VendorPackageID = "vnd_other", "pkg-other"
	ok(t, s.UpdateVacancy(ctx, moved), "update vacancy")
	got, err := s.GetEngineVacancy(ctx, v.ID)
	ok(t, err, "get vacancy")
	changed.Version = v.Version + 1
	changed.Parts = store.EngineParts(changed.Package)
	equal(t, "updated vacancy", got, changed)
	equal(t, "renamed part", got.Parts[0].Name, "Numbers")

	isErr(t, s.UpdateVacancy(ctx, v), core.ErrConflict, "stale vacancy version")

	clash := changed
	clash.Tag = taken.Tag
	isErr(t, s.UpdateVacancy(ctx, clash), core.ErrConflict, "update to a taken tag")

	missing := v
	missing.ID = "vac_missing"
	isErr(t, s.UpdateVacancy(ctx, missing), core.ErrNotFound, "update missing vacancy")
}

func testUpsertCandidate(t *testing.T, s store.Store) {
	ctx := t.Context()
	acme := newAccount(t, s, "acme")
	in := newIntegration(t, s, acme.ID, "lever")

	c := core.Candidate{
		ID: core.NewID("cand"), AccountID: acme.ID, IntegrationID: in.ID, ExternalID: "opp-1",
		Name: "Grace Hopper", Email: "grace@navy.example", ProfileURL: "https://ats/opp-1",
		CreatedAt: at(1), UpdatedAt: at(1),
	}
	got, err := s.UpsertCandidate(ctx, c)
	ok(t, err, "insert candidate")
	equal(t, "inserted candidate", got, c)

	again := core.Candidate{
		ID: core.NewID("cand"), AccountID: acme.ID, IntegrationID: in.ID, ExternalID: "opp-1",
		Name: "Grace B. Hopper", Email: "grace@hopper.example", ProfileURL: "https://ats/opp-1/v2",
		CreatedAt: at(50), UpdatedAt: at(50),
	}
	got, err = s.UpsertCandidate(ctx, again)
	ok(t, err, "upsert existing candidate")
	want := c
	want.Name, want.Email, want.ProfileURL, want.UpdatedAt = again.Name, again.Email, again.ProfileURL, again.UpdatedAt
	equal(t, "upserted candidate keeps ID and CreatedAt", got, want)

	stored, err := s.GetCandidate(ctx, c.ID)
	ok(t, err, "get candidate")
	equal(t, "stored candidate", stored, want)
	_, err = s.GetCandidate(ctx, again.ID)
	isErr(t, err, core.ErrNotFound, "the second ID was never stored")

	// The same external id in another integration is another person.
	in2 := newIntegration(t, s, acme.ID, "greenhouse")
	third := c
	third.ID = core.NewID("cand")
	third.IntegrationID = in2.ID
	got, err = s.UpsertCandidate(ctx, third)
	ok(t, err, "same external id, other integration")
	equal(t, "candidate of other integration", got.ID, third.ID)
}

func testOrders(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := newWorld(t, s, "acme")
	o := core.Order{
		ID:                  core.NewID("ord"),
		AccountID:           w.account.ID,
		IntegrationID:       w.integration.ID,
		VacancyID:           w.vacancy.ID,
		CandidateID:         w.candidate.ID,
		State:               core.StateInvited,
		Mode:                core.ModeTriggered,
		ExternalID:          "opp-42",
		ExternalJobID:       "posting-7",
		IdempotencyKey:      "lever:opp-42:posting-7",
		InvitationHash:      "9f86d081884c7d659a2feaa0c55ad015",
		InvitationSealed:    []byte{0x00, 0x10, 0xfe, 0xff},
		InvitationExpiresAt: at(7 * 24 * 3600),
		ReturnURL:           "https://ats.example/return",
		CallbackURL:         "https://ats.example/callback",
		Reason:              "",
		StartedAt:           time.Time{},
		CompletedAt:         time.Time{},
		CreatedAt:           at(10),
		UpdatedAt:           at(11),
		Version:             1,
	}
	ok(t, s.CreateOrder(ctx, o), "create order")
	got, err := s.GetOrder(ctx, o.ID)
	ok(t, err, "get order")
	equal(t, "order", got, o)

	got, err = s.GetOrderByIdempotencyKey(ctx, w.integration.ID, o.IdempotencyKey)
	ok(t, err, "get order by idempotency key")
	equal(t, "order by idempotency key", got, o)
	got, err = s.GetOrderByInvitationHash(ctx, o.InvitationHash)
	ok(t, err, "get order by invitation hash")
	equal(t, "order by invitation hash", got, o)

	_, err = s.GetOrder(ctx, "ord_missing")
	isErr(t, err, core.ErrNotFound, "get missing order")
	_, err = s.GetOrderByIdempotencyKey(ctx, w.integration.ID, "nope")
	isErr(t, err, core.ErrNotFound, "unknown idempotency key")
	_, err = s.GetOrderByIdempotencyKey(ctx, "int_other", o.IdempotencyKey)
	isErr(t, err, core.ErrNotFound, "idempotency key of another integration")
	_, err = s.GetOrderByInvitationHash(ctx, "nope")
	isErr(t, err, core.ErrNotFound, "unknown invitation hash")

	// An order received before its vacancy is resolved, with nothing optional.
	bare := core.Order{
		ID: core.NewID("ord"), AccountID: w.account.ID, IntegrationID: w.integration.ID,
		State: core.StateReceived, Mode: core.ModeInline, CreatedAt: at(20),
	}
	ok(t, s.CreateOrder(ctx, bare), "create bare order")
	got, err = s.GetOrder(ctx, bare.ID)
	ok(t, err, "get bare order")
	equal(t, "bare order", got, bare)
}

func testOrderKeys(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := newWorld(t, s, "acme")
	o := newOrder(t, s, w.integration, w.vacancy.ID, w.candidate.ID, at(10))

	dup := o
	dup.ID = core.NewID("ord")
	isErr(t, s.CreateOrder(ctx, dup), core.ErrConflict, "same idempotency key in one integration")

	other := newIntegration(t, s, w.account.ID, "greenhouse")
	dup.IntegrationID = other.ID
	ok(t, s.CreateOrder(ctx, dup), "same idempotency key in another integration")

	// Empty keys and hashes are absent values, not shared ones.
	for i := range 2 {
		e := core.Order{ID: core.NewID("ord"), AccountID: w.account.ID, IntegrationID: w.integration.ID,
			State: core.StateReceived, Mode: core.ModeAdHoc, CreatedAt: at(20 + i)}
		ok(t, s.CreateOrder(ctx, e), "order %d without keys", i)
	}
	_, err := s.GetOrderByIdempotencyKey(ctx, w.integration.ID, "")
	isErr(t, err, core.ErrNotFound, "empty idempotency key")
	_, err = s.GetOrderByInvitationHash(ctx, "")
	isErr(t, err, core.ErrNotFound, "empty invitation hash")

	// Invitation hashes are unique across everything.
	o.InvitationHash = "hash-a"
	ok(t, s.UpdateOrder(ctx, o), "set invitation hash")
	again := newOrder(t, s, other, w.vacancy.ID, "", at(30))
	again.InvitationHash = "hash-a"
	isErr(t, s.UpdateOrder(ctx, again), core.ErrConflict, "reuse invitation hash")
	taken := core.Order{ID: core.NewID("ord"), AccountID: w.account.ID, IntegrationID: other.ID,
		State: core.StateReceived, Mode: core.ModeAdHoc, InvitationHash: "hash-a", CreatedAt: at(31)}
	isErr(t, s.CreateOrder(ctx, taken), core.ErrConflict, "create with a taken invitation hash")
}

func testSupersedeOrder(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := newWorld(t, s, "acme")
	old := newOrder(t, s, w.integration, w.vacancy.ID, w.candidate.ID, at(10))
	isErr(t, s.SupersedeOrder(ctx, core.Order{ID: "ord_missing", Version: 1}), core.ErrNotFound, "supersede a missing order")
	ok(t, s.SupersedeOrder(ctx, old), "supersede")
	got, err := s.GetOrder(ctx, old.ID)
	ok(t, err, "get superseded")
	want := old
	want.IdempotencyKey, want.Version = old.SupersededKey(), old.Version+1
	equal(t, "superseded order", got, want)
	equal(t, "superseded", got.Superseded(), true)
	isErr(t, s.SupersedeOrder(ctx, old), core.ErrConflict, "stale version")

	// The key is free for the re-invitation, which is then the order it finds.
	next := old
	next.ID, next.Version = core.NewID("ord"), 1
	ok(t, s.CreateOrder(ctx, next), "create the re-invitation with the old key")
	found, err := s.GetOrderByIdempotencyKey(ctx, w.integration.ID, old.IdempotencyKey)
	ok(t, err, "find by key")
	equal(t, "the key finds the re-invitation", found.ID, next.ID)
	equal(t, "a new order is not superseded", found.Superseded(), false)
}

func testUpdateOrder(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := newWorld(t, s, "acme")
	o := newOrder(t, s, w.integration, "", w.candidate.ID, at(10))

	changed := o
	changed.VacancyID = w.vacancy.ID
	ok(t, changed.Transition(core.StateInvited, at(15)), "transition to invited")
	ok(t, changed.Transition(core.StateInProgress, at(20)), "transition to in progress")
	changed.ExternalJobID = "posting-9"
	changed.InvitationHash = "h1"
	changed.InvitationSealed = []byte("sealed token")
	changed.InvitationExpiresAt = at(30)
	changed.ReturnURL = "https://r"
	changed.CallbackURL = "https://c"
	changed.Reason = "why not"
	ok(t, s.UpdateOrder(ctx, changed), "update order")
	got, err := s.GetOrder(ctx, o.ID)
	ok(t, err, "get order")
	changed.Version = o.Version + 1
	equal(t, "updated order", got, changed)

	isErr(t, s.UpdateOrder(ctx, o), core.ErrConflict, "stale order version")

	// Clearing optional fields stores them as absent again.
	cleared := got
	cleared.VacancyID = ""
	cleared.InvitationSealed = nil
	cleared.InvitationExpiresAt = time.Time{}
	cleared.StartedAt = time.Time{}
	ok(t, s.UpdateOrder(ctx, cleared), "clear optional fields")
	got, err = s.GetOrder(ctx, o.ID)
	ok(t, err, "get cleared order")
	cleared.Version++
	equal(t, "cleared order", got, cleared)

	missing := o
	missing.ID = "ord_missing"
	isErr(t, s.UpdateOrder(ctx, missing), core.ErrNotFound, "update missing order")
}

func testAnswers(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := newWorld(t, s, "acme")
	o := newOrder(t, s, w.integration, w.vacancy.ID, w.candidate.ID, at(10))

	q1 := core.Answer{OrderID: o.ID, QuestionID: "q1", OptionID: "a", AnsweredAt: at(20)}
	q2 := core.Answer{OrderID: o.ID, QuestionID: "q2", OptionID: "c", AnsweredAt: at(21)}
	ok(t, s.SaveAnswer(ctx, q2), "save q2")
	ok(t, s.SaveAnswer(ctx, q1), "save q1")
	q1.OptionID, q1.AnsweredAt = "b", at(22)
	ok(t, s.SaveAnswer(ctx, q1), "change q1")

	list, err := s.ListAnswers(ctx, o.ID)
	ok(t, err, "list answers")
	equal(t, "answers", len(list), 2)
	byQ := map[string]core.Answer{list[0].QuestionID: list[0], list[1].QuestionID: list[1]}
	equal(t, "answer q1 replaced", byQ["q1"], q1)
	equal(t, "answer q2", byQ["q2"], q2)

	list, err = s.ListAnswers(ctx, "ord_missing")
	ok(t, err, "list answers of missing order")
	equal(t, "no answers", len(list), 0)
}

func testResults(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := newWorld(t, s, "acme")
	o := newOrder(t, s, w.integration, w.vacancy.ID, w.candidate.ID, at(10))

	r := core.Result{
		OrderID: o.ID,
		Value:   core.ResultPassed,
		Score:   &core.Score{Value: 7.5, Min: 1, Max: 10},
		Label:   "Good fit",
		Summary: "Strong reasoning; “quoted” text ✓",
		Components: []core.Component{
			{Key: "cognitive", Name: "Cognitive ability", Score: &core.Score{Value: 80, Max: 100}, Label: "Great fit"},
			{Key: "teamwork", Name: "Teamwork"}, // no score
		},
		Attachments: []core.Attachment{
			{Name: "Report", ContentType: "application/pdf", URL: "https://vendor.example/r/1.pdf"},
			{Name: "Video", ContentType: "video/mp4", FileID: "file_1"},
		},
		ResultURL:   "https://vendor.example/r/1",
		StartedAt:   at(20),
		SubmittedAt: at(30),
	}
	ok(t, s.SaveResult(ctx, r), "save result")
	got, err := s.GetResult(ctx, o.ID)
	ok(t, err, "get result")
	equal(t, "result", got, r)

	isErr(t, s.SaveResult(ctx, r), core.ErrConflict, "second result for one order")
	_, err = s.GetResult(ctx, "ord_missing")
	isErr(t, err, core.ErrNotFound, "result of missing order")

	// A bare result (no score, parts or times) reads back as bare.
	o2 := newOrder(t, s, w.integration, w.vacancy.ID, w.candidate.ID, at(11))
	bare := core.Result{OrderID: o2.ID}
	ok(t, s.SaveResult(ctx, bare), "save bare result")
	got, err = s.GetResult(ctx, o2.ID)
	ok(t, err, "get bare result")
	equal(t, "bare result", got, bare)
}

// testEngineResults: the built-in engine's own record is kept apart from the
// order's neutral result, once per order.
func testEngineResults(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := newWorld(t, s, "acme")
	o := newOrder(t, s, w.integration, w.vacancy.ID, w.candidate.ID, at(10))

	e := store.EngineResult{
		OrderID: o.ID,
		Outcome: assess.Outcome{
			Score: 72, Min: 0, Max: 100, Label: assess.GoodFit,
			Indicators: []assess.Indicator{
				{Key: "cognitive", Name: "Cognitive ability", Score: 80, Label: assess.GreatFit},
				{Key: "teamwork", Name: "Teamwork", Score: 64, Label: assess.GoodFit},
			},
			Summary: "Strong reasoning; “quoted” text ✓",
		},
		Answers: assess.Answers{"q1": "a", "q2": "c"},
	}
	ok(t, s.SaveEngineResult(ctx, e), "save engine result")
	got, err := s.GetEngineResult(ctx, o.ID)
	ok(t, err, "get engine result")
	equal(t, "engine result", got, e)

	isErr(t, s.SaveEngineResult(ctx, e), core.ErrConflict, "second engine result for one order")
	_, err = s.GetEngineResult(ctx, "ord_missing")
	isErr(t, err, core.ErrNotFound, "engine result of missing order")
}

func testTimeline(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := newWorld(t, s, "acme")
	o := newOrder(t, s, w.integration, w.vacancy.ID, w.candidate.ID, at(10))
	other := newOrder(t, s, w.integration, w.vacancy.ID, w.candidate.ID, at(11))

	entries := []core.TimelineEntry{
		{OrderID: o.ID, AccountID: w.account.ID, At: at(20), Kind: "state", Message: "Order received"},
		{OrderID: o.ID, AccountID: w.account.ID, At: at(20), Kind: "ats_call", Message: "Lever said 200",
			Detail: map[string]string{"status": "200", "url": "https://api.lever.co/v1/x?y=1&z=%"}},
		{OrderID: o.ID, AccountID: w.account.ID, At: at(25), Kind: "email", Message: "Invitation sent", Detail: map[string]string{}},
	}
	var last int64
	for i := range entries {
		id, err := s.AddTimeline(ctx, entries[i])
		ok(t, err, "add timeline entry %d", i)
		if id <= last {
			t.Fatalf("entry %d got id %d, not above %d", i, id, last)
		}
		last = id
		entries[i].ID = id
	}
	_, err := s.AddTimeline(ctx, core.TimelineEntry{OrderID: other.ID, AccountID: w.account.ID, At: at(1), Kind: "state", Message: "x"})
	ok(t, err, "add entry to other order")

	// Entries at the same instant keep their insertion order.
	list, err := s.ListTimeline(ctx, o.ID)
	ok(t, err, "list timeline")
	equal(t, "timeline oldest first", list, entries)
}

func testRecordInbound(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := newWorld(t, s, "acme")
	e := core.InboundEvent{
		ID: core.NewID("evt"), AccountID: w.account.ID, IntegrationID: w.integration.ID, Kind: "lever.candidateStageChange",
		DedupeKey: "token-1", Payload: []byte(`{"event":"candidateStageChange","data":{"x":"\u00e9"}}`), ReceivedAt: at(5),
	}
	stored, inserted, err := s.RecordInbound(ctx, e)
	ok(t, err, "record event")
	if !inserted {
		t.Fatal("first event: inserted=false")
	}
	equal(t, "stored event", stored, e)

	redelivery := e
	redelivery.ID = core.NewID("evt")
	redelivery.Payload = []byte(`{"redelivered":true}`)
	redelivery.ReceivedAt = at(60)
	stored, inserted, err = s.RecordInbound(ctx, redelivery)
	ok(t, err, "record redelivery")
	if inserted {
		t.Fatal("redelivery: inserted=true")
	}
	equal(t, "redelivery returns the first event", stored, e)
	_, err = s.GetInbound(ctx, redelivery.ID)
	isErr(t, err, core.ErrNotFound, "redelivery was not stored")

	got, err := s.GetInbound(ctx, e.ID)
	ok(t, err, "get event")
	equal(t, "got event", got, e)
	_, err = s.GetInbound(ctx, "evt_missing")
	isErr(t, err, core.ErrNotFound, "get missing event")

	// The same key from another integration is another event.
	in2 := newIntegration(t, s, w.account.ID, "greenhouse")
	fromOther := e
	fromOther.ID = core.NewID("evt")
	fromOther.IntegrationID = in2.ID
	_, inserted, err = s.RecordInbound(ctx, fromOther)
	ok(t, err, "same key, other integration")
	if !inserted {
		t.Fatal("same key from another integration: inserted=false")
	}

	// Events without a dedupe key are never taken for redeliveries.
	for i := range 2 {
		plain := core.InboundEvent{ID: core.NewID("evt"), AccountID: w.account.ID, IntegrationID: w.integration.ID,
			Kind: "ping", ReceivedAt: at(70 + i)}
		stored, inserted, err := s.RecordInbound(ctx, plain)
		ok(t, err, "event %d without dedupe key", i)
		if !inserted {
			t.Fatalf("event %d without dedupe key: inserted=false", i)
		}
		equal(t, "event without key or payload", stored, plain)
	}

	// Reusing an ID with a fresh key is a conflict, not a dedupe.
	reused := e
	reused.DedupeKey = "token-2"
	_, _, err = s.RecordInbound(ctx, reused)
	isErr(t, err, core.ErrConflict, "reused event ID")
}

func testInboundOutcome(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := newWorld(t, s, "acme")
	other := newIntegration(t, s, w.account.ID, "greenhouse")
	record := func(in core.Integration, key string, received int) core.InboundEvent {
		t.Helper()
		e := core.InboundEvent{ID: core.NewID("evt"), AccountID: in.AccountID, IntegrationID: in.ID, Kind: "candidateStageChange",
			DedupeKey: key, Payload: []byte(`{}`), ReceivedAt: at(received)}
		_, inserted, err := s.RecordInbound(ctx, e)
		ok(t, err, "record %s", key)
		equal(t, "inserted "+key, inserted, true)
		return e
	}
	// An event that needs no work is stored already processed.
	ignored := core.InboundEvent{ID: core.NewID("evt"), AccountID: w.account.ID, IntegrationID: w.integration.ID, Kind: "ping",
		DedupeKey: "ping", ReceivedAt: at(1), ProcessedAt: at(1), Outcome: "ignored: test ping"}
	_, _, err := s.RecordInbound(ctx, ignored)
	ok(t, err, "record ignored")
	got, err := s.GetInbound(ctx, ignored.ID)
	ok(t, err, "get ignored")
	equal(t, "ignored event", got, ignored)

	failedOld := record(w.integration, "a", 2)
	failedNew := record(w.integration, "b", 3)
	recovered := record(w.integration, "c", 4)
	elsewhere := record(other, "d", 5)
	ok(t, s.SetInboundOutcome(ctx, failedOld.ID, at(10), "", "wrong API key"), "fail a")
	ok(t, s.SetInboundOutcome(ctx, failedNew.ID, at(20), "", "unknown stage"), "fail b")
	ok(t, s.SetInboundOutcome(ctx, recovered.ID, at(15), "", "timeout"), "fail c")
	ok(t, s.SetInboundOutcome(ctx, recovered.ID, at(16), "1 order created", ""), "c recovers")
	ok(t, s.SetInboundOutcome(ctx, elsewhere.ID, at(30), "", "other integration"), "fail d")
	isErr(t, s.SetInboundOutcome(ctx, "evt_missing", at(1), "x", ""), core.ErrNotFound, "outcome of missing event")

	got, err = s.GetInbound(ctx, recovered.ID)
	ok(t, err, "get recovered")
	want := recovered
	want.ProcessedAt, want.Outcome = at(16), "1 order created"
	equal(t, "recovered event", got, want)

	list, err := s.ListInboundFailures(ctx, w.integration.ID, 10)
	ok(t, err, "list failures")
	var ids []string
	for _, e := range list {
		ids = append(ids, e.ID+" "+e.Failure)
	}
	equal(t, "failures, latest first", ids, []string{failedNew.ID + " unknown stage", failedOld.ID + " wrong API key"})
	list, err = s.ListInboundFailures(ctx, w.integration.ID, 1)
	ok(t, err, "list failures limit 1")
	equal(t, "limited", len(list), 1)
}

func testDeleteInboundBefore(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := newWorld(t, s, "acme")
	var evs []core.InboundEvent
	for i := range 3 {
		e := core.InboundEvent{ID: core.NewID("evt"), AccountID: w.account.ID, IntegrationID: w.integration.ID, Kind: "k",
			DedupeKey: fmt.Sprint("key-", i), ReceivedAt: at(10 * (i + 1))}
		_, _, err := s.RecordInbound(ctx, e)
		ok(t, err, "record %d", i)
		evs = append(evs, e)
	}
	o := newOrder(t, s, w.integration, w.vacancy.ID, w.candidate.ID, at(5))
	_, err := s.AddTimeline(ctx, core.TimelineEntry{OrderID: o.ID, AccountID: o.AccountID, At: at(5), Kind: "state", Message: "received"})
	ok(t, err, "timeline")

	n, err := s.DeleteInboundBefore(ctx, at(20)) // strictly before: the one at 20 stays
	ok(t, err, "delete")
	equal(t, "deleted", n, 1)
	_, err = s.GetInbound(ctx, evs[0].ID)
	isErr(t, err, core.ErrNotFound, "old event gone")
	for _, e := range evs[1:] {
		_, err := s.GetInbound(ctx, e.ID)
		ok(t, err, "newer event %s stays", e.ID)
	}
	// A redelivery of a deleted event's key is new again.
	again := evs[0]
	again.ID = core.NewID("evt")
	_, inserted, err := s.RecordInbound(ctx, again)
	ok(t, err, "record again")
	equal(t, "re-recorded after deletion", inserted, true)
	// Orders and their timelines stay.
	_, err = s.GetOrder(ctx, o.ID)
	ok(t, err, "order stays")
	tl, err := s.ListTimeline(ctx, o.ID)
	ok(t, err, "timeline stays")
	equal(t, "timeline entries", len(tl), 1)
}

func testSteps(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := newWorld(t, s, "acme")
	o := newOrder(t, s, w.integration, w.vacancy.ID, w.candidate.ID, at(10))

	done, err := s.StepDone(ctx, o.ID, "score_field")
	ok(t, err, "step done before")
	equal(t, "done before marking", done, false)

	first, err := s.MarkStep(ctx, o.ID, "score_field", at(20))
	ok(t, err, "mark step")
	equal(t, "first mark", first, true)
	again, err := s.MarkStep(ctx, o.ID, "score_field", at(21))
	ok(t, err, "mark step again")
	equal(t, "second mark", again, false)

	done, err = s.StepDone(ctx, o.ID, "score_field")
	ok(t, err, "step done after")
	equal(t, "done after marking", done, true)
	done, err = s.StepDone(ctx, o.ID, "pdf_file")
	ok(t, err, "other step")
	equal(t, "other step not done", done, false)

	other, err := s.MarkStep(ctx, o.ID, "pdf_file", at(22))
	ok(t, err, "mark other step")
	equal(t, "other step first mark", other, true)
}

func testWriteBackClaims(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := newWorld(t, s, "acme")
	o := newOrder(t, s, w.integration, w.vacancy.ID, w.candidate.ID, at(10))
	other := newOrder(t, s, w.integration, w.vacancy.ID, w.candidate.ID, at(11))
	claim := func(orderID, holder string, now, until int) bool {
		t.Helper()
		got, err := s.ClaimWriteBack(ctx, orderID, holder, at(now), at(until))
		ok(t, err, "claim %s", holder)
		return got
	}

	equal(t, "first claim", claim(o.ID, "job-1", 20, 80), true)
	equal(t, "a live claim is not taken", claim(o.ID, "job-2", 30, 90), false)
	equal(t, "its holder renews it", claim(o.ID, "job-1", 40, 100), true)
	equal(t, "a renewed claim is not taken before it ends", claim(o.ID, "job-2", 90, 150), false)
	equal(t, "another order's claim is separate", claim(other.ID, "job-2", 30, 90), true)

	// Another holder's release leaves the claim; its holder's ends it.
	ok(t, s.ReleaseWriteBack(ctx, o.ID, "job-2"), "release by another")
	equal(t, "still held after another's release", claim(o.ID, "job-3", 50, 110), false)
	ok(t, s.ReleaseWriteBack(ctx, o.ID, "job-1"), "release")
	equal(t, "free after release", claim(o.ID, "job-3", 50, 110), true)

	// A claim whose holder vanished runs out.
	equal(t, "an expired claim is taken", claim(o.ID, "job-4", 110, 170), true)
	ok(t, s.ReleaseWriteBack(ctx, o.ID, "nobody"), "releasing an absent claim")
}

func testOutboxMail(t *testing.T, s store.Store) {
	ctx := t.Context()
	var want []core.OutboxMail
	for i := range 5 {
		m := core.OutboxMail{
			ID: core.NewID("mail"), AccountID: "acc_x", OrderID: "ord_y", To: fmt.Sprintf("c%d@example.com", i),
			Subject: "Your assessment", Text: "Hello\nthere", HTML: "<p>Hello</p>", CreatedAt: at(i),
		}
		ok(t, s.AddOutboxMail(ctx, m), "add mail %d", i)
		want = append([]core.OutboxMail{m}, want...)
	}
	noOrder := core.OutboxMail{ID: core.NewID("mail"), To: "admin@example.com", Subject: "Welcome", CreatedAt: at(-1)}
	ok(t, s.AddOutboxMail(ctx, noOrder), "add mail without account or order")

	got, err := s.ListOutboxMail(ctx, "acc_x", 3)
	ok(t, err, "list outbox")
	equal(t, "newest three", got, want[:3])
	got, err = s.ListOutboxMail(ctx, "acc_x", 100)
	ok(t, err, "list outbox")
	equal(t, "all of the account's, newest first", got, want)
	got, err = s.ListOutboxMail(ctx, "acc_other", 100)
	ok(t, err, "list outbox of another account")
	equal(t, "another account sees none", len(got), 0)
}

func testSettings(t *testing.T, s store.Store) {
	ctx := t.Context()
	_, err := s.GetSetting(ctx, "base_url")
	isErr(t, err, core.ErrNotFound, "get an unset setting")
	ok(t, s.PutSetting(ctx, "base_url", "https://a.example", at(1)), "put a setting")
	ok(t, s.PutSetting(ctx, "other", "x", at(1)), "put another setting")
	ok(t, s.PutSetting(ctx, "base_url", "https://b.example", at(2)), "replace a setting")
	got, err := s.GetSetting(ctx, "base_url")
	ok(t, err, "get a setting")
	equal(t, "replaced setting", got, "https://b.example")
	got, err = s.GetSetting(ctx, "other")
	ok(t, err, "get the other setting")
	equal(t, "other setting", got, "x")
}
