// Package storetest is the conformance suite every store.Store dialect must
// pass: the documented semantics of store.Queries (round trips, not-found and
// conflict errors, optimistic versions, dedupe, idempotency, list filters,
// account isolation) and of transactions (commit, rollback, concurrency).
//
// A dialect's test calls Run with a function that opens a fresh, migrated,
// empty store for each subtest.
package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"switchboard/internal/assess"
	"switchboard/internal/core"
	"switchboard/internal/store"
)

// Run runs the suite. open must return a fresh, migrated, empty store and
// arrange for it to be closed when t ends; it is called once per subtest,
// possibly in parallel.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"Basics", testBasics},
		{"MigrateIsIdempotent", testMigrateIdempotent},
		{"TimePrecision", testTimePrecision},
		{"Accounts", testAccounts},
		{"Users", testUsers},
		{"SuperAdmins", testSuperAdmins},
		{"APIKeys", testAPIKeys},
		{"Integrations", testIntegrations},
		{"UpdateIntegration", testUpdateIntegration},
		{"Credentials", testCredentials},
		{"Vacancies", testVacancies},
		{"UpdateVacancy", testUpdateVacancy},
		{"UpsertCandidate", testUpsertCandidate},
		{"Orders", testOrders},
		{"OrderKeys", testOrderKeys},
		{"UpdateOrder", testUpdateOrder},
		{"SupersedeOrder", testSupersedeOrder},
		{"ListOrdersFilters", testListOrdersFilters},
		{"ListOrdersPaging", testListOrdersPaging},
		{"ListOrdersLimits", testListOrdersLimits},
		{"ListOrdersSearch", testListOrdersSearch},
		{"ListOrdersSearchUnicode", testListOrdersSearchUnicode},
		{"TestOrders", testTestOrders},
		{"AccountIsolation", testAccountIsolation},
		{"ListExpiredOrderIDs", testListExpiredOrderIDs},
		{"Answers", testAnswers},
		{"Results", testResults},
		{"EngineResults", testEngineResults},
		{"Timeline", testTimeline},
		{"RecordInbound", testRecordInbound},
		{"InboundOutcome", testInboundOutcome},
		{"DeleteInboundBefore", testDeleteInboundBefore},
		{"Steps", testSteps},
		{"WriteBackClaims", testWriteBackClaims},
		{"OutboxMail", testOutboxMail},
		{"Settings", testSettings},
		{"Vendors", testVendors},
		{"UpdateVendor", testUpdateVendor},
		{"VendorKeys", testVendorKeys},
		{"VendorLinks", testVendorLinks},
		{"VendorPackages", testVendorPackages},
		{"UpsertVendorVacancy", testUpsertVendorVacancy},
		{"ArchiveVendorVacancies", testArchiveVendorVacancies},
		{"Deliveries", testDeliveries},
		{"ListDeliveries", testListDeliveries},
		{"DeliveryAttempts", testDeliveryAttempts},
		{"ListVendorOrders", testListVendorOrders},
		{"ListVendorOrdersLimits", testListVendorOrdersLimits},
		{"Files", testFiles},
		{"ReviewSources", testReviewSources},
		{"ReviewJobs", testReviewJobs},
		{"ReviewApplicants", testReviewApplicants},
		{"ReviewSyncs", testReviewSyncs},
		{"ReviewChanges", testReviewChanges},
		{"CandidateResults", testCandidateResults},
		{"ReviewRankStamp", testReviewRankStamp},
		{"Sessions", testSessions},
		{"PasswordResets", testPasswordResets},
		{"EndUserAccess", testEndUserAccess},
		{"TxCommit", testTxCommit},
		{"TxRollback", testTxRollback},
		{"TxPanic", testTxPanic},
		{"ConcurrentCreates", testConcurrentCreates},
		{"ConcurrentIncrements", testConcurrentIncrements},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open(t))
		})
	}
}

// ---- assertions ----

func equal[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got: %+v\nwant: %+v", what, got, want)
	}
}

func ok(t *testing.T, err error, what string, args ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", fmt.Sprintf(what, args...), err)
	}
}

func isErr(t *testing.T, err, target error, what string, args ...any) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: got error %v, want %v", fmt.Sprintf(what, args...), err, target)
	}
}

// ---- fixtures ----

// base is an instant with microseconds, so truncation shows.
func base() time.Time { return time.Date(2025, 6, 1, 12, 0, 0, 123456000, time.UTC) }

// at is base plus n seconds.
func at(n int) time.Time { return base().Add(time.Duration(n) * time.Second) }

func newAccount(t *testing.T, q store.Queries, name string) core.Account {
	t.Helper()
	a := core.Account{ID: core.NewID("acc"), Name: name, CreatedAt: at(0)}
	ok(t, q.CreateAccount(t.Context(), a), "create account %s", name)
	return a
}

// newUser creates an admin of account accountID.
func newUser(t *testing.T, q store.Queries, accountID, name, email string) core.User {
	t.Helper()
	u := core.User{ID: core.NewID("usr"), AccountID: accountID, Email: email, Name: name, Role: core.RoleAdmin, CreatedAt: at(1)}
	ok(t, q.CreateUser(t.Context(), u), "create user %s", name)
	return u
}

func newIntegration(t *testing.T, q store.Queries, accountID, provider string) core.Integration {
	t.Helper()
	in := core.Integration{
		ID:        core.NewID("int"),
		AccountID: accountID,
		Provider:  provider,
		Name:      provider + " production",
		Status:    core.IntegrationEnabled,
		Patterns:  []core.Pattern{core.PatternAdHoc},
		Settings:  map[string]string{"base_url": "https://api." + provider + ".example"},
		WriteBack: core.DefaultWriteBack(),
		CreatedAt: at(1),
		UpdatedAt: at(1),
		Version:   1,
	}
	ok(t, q.CreateIntegration(t.Context(), in), "create integration %s", provider)
	return in
}

func samplePackage() assess.Package {
	return assess.Package{Modules: []assess.Module{{
		Key:         "cognitive",
		Name:        "Cognitive ability",
		Description: "Reasoning with numbers",
		Weight:      2,
		Questions: []assess.Question{{
			ID:     "q1",
			Prompt: "2 + 2?",
			Options: []assess.Option{
				{ID: "a", Text: "4", Points: 3},
				{ID: "b", Text: "5", Points: 0},
			},
		}},
	}}}
}

// newVacancy creates a built-in vacancy and returns it as the store reads
// it back.
func newVacancy(t *testing.T, q store.Queries, accountID, name, tag string) store.EngineVacancy {
	t.Helper()
	v := store.EngineVacancy{Vacancy: core.Vacancy{
		ID:         core.NewID("vac"),
		AccountID:  accountID,
		Name:       name,
		VendorID:   core.BuiltinVendorID,
		Kind:       core.KindAssessment,
		Tag:        tag,
		ExpiryDays: 10,
		ReturnURL:  "https://careers.example/thanks",
		CreatedAt:  at(2),
		UpdatedAt:  at(2),
		Version:    1,
	}, Package: samplePackage(), Thresholds: assess.DefaultThresholds()}.WithParts()
	ok(t, q.CreateVacancy(t.Context(), v), "create vacancy %s", name)
	return v
}

func newCandidate(t *testing.T, q store.Queries, in core.Integration, name, email string) core.Candidate {
	t.Helper()
	c, err := q.UpsertCandidate(t.Context(), core.Candidate{
		ID:            core.NewID("cand"),
		AccountID:     in.AccountID,
		IntegrationID: in.ID,
		ExternalID:    core.NewID("ext"),
		Name:          name,
		Email:         email,
		ProfileURL:    "https://ats.example/c/" + name,
		CreatedAt:     at(3),
		UpdatedAt:     at(3),
	})
	ok(t, err, "upsert candidate %s", name)
	return c
}

// newOrder creates an order of in for v and c (either may be empty) created
// at created.
func newOrder(t *testing.T, q store.Queries, in core.Integration, vacancyID, candidateID string, created time.Time) core.Order {
	t.Helper()
	o := core.Order{
		ID:             core.NewID("ord"),
		AccountID:      in.AccountID,
		IntegrationID:  in.ID,
		VacancyID:      vacancyID,
		CandidateID:    candidateID,
		State:          core.StateReceived,
		Mode:           core.ModeAdHoc,
		ExternalID:     core.NewID("opp"),
		IdempotencyKey: core.NewID("idem"),
		CreatedAt:      created,
		UpdatedAt:      created,
		Version:        1,
	}
	ok(t, q.CreateOrder(t.Context(), o), "create order")
	return o
}

// world is one account with an integration, a vacancy and a candidate.
type world struct {
	account     core.Account
	integration core.Integration
	vacancy     core.Vacancy
	candidate   core.Candidate
}

func newWorld(t *testing.T, q store.Queries, name string) world {
	t.Helper()
	var w world
	w.account = newAccount(t, q, name)
	w.integration = newIntegration(t, q, w.account.ID, "lever")
	w.vacancy = newVacancy(t, q, w.account.ID, name+" engineer", "").Vacancy
	w.candidate = newCandidate(t, q, w.integration, "Ada "+name, "ada@"+name+".example")
	return w
}

func orderIDs(items []store.OrderListItem) []string {
	return idsOf(items, func(it store.OrderListItem) string { return it.ID })
}

// idsOf lists the ids of xs, for comparing lists by what is in them and in
// which order.
func idsOf[T any](xs []T, id func(T) string) []string {
	ids := make([]string, len(xs))
	for i, x := range xs {
		ids[i] = id(x)
	}
	return ids
}
