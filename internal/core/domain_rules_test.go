package core_test

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"switchboard/internal/core"
)

func TestRolePermissions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		role                                      core.Role
		integrations, vacancies, users, actOrders bool
	}{
		{role: core.RoleSuperAdmin, integrations: true, vacancies: true, users: true, actOrders: true},
		{role: core.RoleAdmin, integrations: false, vacancies: true, users: true, actOrders: true},
		{role: core.RoleTeamMember, integrations: false, vacancies: false, users: false, actOrders: true},
		{role: core.RoleLimitedTeamMember, integrations: false, vacancies: false, users: false, actOrders: false},
		// A role that is not one of core.Roles (an empty or corrupt value) must
		// be allowed nothing: permissions fail closed.
		{role: ""},
		{role: "owner"},
	}
	for _, tt := range tests {
		t.Run("role="+string(tt.role), func(t *testing.T) {
			t.Parallel()
			got := [4]bool{tt.role.CanConfigureIntegrations(), tt.role.CanManageVacancies(), tt.role.CanManageUsers(), tt.role.CanActOnOrders()}
			want := [4]bool{tt.integrations, tt.vacancies, tt.users, tt.actOrders}
			if got != want {
				t.Fatalf("%q: [configure integrations, manage vacancies, manage users, act on orders] = %v, want %v", tt.role, got, want)
			}
		})
	}
}

func TestRolesOrderedMostToLeastPrivileged(t *testing.T) {
	t.Parallel()
	want := []core.Role{core.RoleSuperAdmin, core.RoleAdmin, core.RoleTeamMember, core.RoleLimitedTeamMember}
	if fmt.Sprint(core.Roles) != fmt.Sprint(want) {
		t.Fatalf("Roles = %v, want %v", core.Roles, want)
	}
	// Each role may do at least what every less privileged role may.
	perms := func(r core.Role) []bool {
		return []bool{r.CanConfigureIntegrations(), r.CanManageVacancies(), r.CanManageUsers(), r.CanActOnOrders()}
	}
	for i := 0; i+1 < len(core.Roles); i++ {
		hi, lo := perms(core.Roles[i]), perms(core.Roles[i+1])
		for j := range hi {
			if lo[j] && !hi[j] {
				t.Errorf("%s may do permission %d but the more privileged %s may not", core.Roles[i+1], j, core.Roles[i])
			}
		}
	}
}

func TestParseRole(t *testing.T) {
	t.Parallel()
	for _, r := range core.Roles {
		got, err := core.ParseRole(string(r))
		if err != nil || got != r {
			t.Errorf("ParseRole(%q) = %q, %v", r, got, err)
		}
	}
	for _, in := range []string{"", "Admin", "superadmin", "super-admin", "owner", " admin", "limited"} {
		got, err := core.ParseRole(in)
		if err == nil {
			t.Errorf("ParseRole(%q) = %q, want an error", in, got)
			continue
		}
		if got != "" {
			t.Errorf("ParseRole(%q) returned %q with its error", in, got)
		}
		msg := err.Error()
		if !strings.Contains(msg, fmt.Sprintf("%q", in)) {
			t.Errorf("ParseRole(%q): %q does not quote the input", in, msg)
		}
		for _, r := range core.Roles {
			if !strings.Contains(msg, string(r)) {
				t.Errorf("ParseRole(%q): %q does not list the valid role %s", in, msg, r)
			}
		}
	}
}

func TestParsePattern(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want core.Pattern
		ok   bool
	}{
		{"ats_first_adhoc", core.PatternAdHoc, true},
		{"ats_first_inline", core.PatternInline, true},
		{"", "", false},
		{"ats_first_ad_hoc", "", false},
		{"ATS_FIRST_ADHOC", "", false},
		{"inline", "", false},
		{"vendor_first", "", false},
	}
	for _, tt := range tests {
		got, err := core.ParsePattern(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParsePattern(%q) = %q, %v; want %q, ok=%v", tt.in, got, err, tt.want, tt.ok)
			continue
		}
		if err != nil {
			if !strings.Contains(err.Error(), fmt.Sprintf("%q", tt.in)) ||
				!strings.Contains(err.Error(), "ats_first_adhoc") || !strings.Contains(err.Error(), "ats_first_inline") {
				t.Errorf("ParsePattern(%q) error %q should quote the input and list both patterns", tt.in, err)
			}
		}
	}
}

func TestIntegrationHasPattern(t *testing.T) {
	t.Parallel()
	in := core.Integration{Patterns: []core.Pattern{core.PatternAdHoc}}
	if !in.HasPattern(core.PatternAdHoc) || in.HasPattern(core.PatternInline) {
		t.Fatalf("HasPattern wrong for %v", in.Patterns)
	}
	if (core.Integration{}).HasPattern(core.PatternAdHoc) {
		t.Fatal("an integration without patterns has ats_first_adhoc")
	}
}

func TestValidationError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		build   func() *core.ValidationError
		wantNil bool
		wantMsg string
		fields  map[string]string
	}{
		{
			name:    "empty is nil",
			build:   func() *core.ValidationError { return core.Invalid() },
			wantNil: true,
		},
		{
			name:    "one field",
			build:   func() *core.ValidationError { return core.Invalid("name", "is required") },
			wantMsg: "invalid input: name: is required",
			fields:  map[string]string{"name": "is required"},
		},
		{
			name: "fields sorted by key whatever the insertion order",
			build: func() *core.ValidationError {
				v := core.Invalid("zeta", "last")
				v.Add("alpha", "first")
				v.Add("mid", "middle")
				return v
			},
			wantMsg: "invalid input: alpha: first; mid: middle; zeta: last",
			fields:  map[string]string{"alpha": "first", "mid": "middle", "zeta": "last"},
		},
		{
			name: "a later problem with the same field replaces the earlier",
			build: func() *core.ValidationError {
				v := core.Invalid("email", "is required")
				v.Add("email", "must be a plain email address")
				return v
			},
			wantMsg: "invalid input: email: must be a plain email address",
			fields:  map[string]string{"email": "must be a plain email address"},
		},
		{
			name:    "a dangling field without a message is ignored",
			build:   func() *core.ValidationError { return core.Invalid("a", "bad", "dangling") },
			wantMsg: "invalid input: a: bad",
			fields:  map[string]string{"a": "bad"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := tt.build()
			err := v.OrNil()
			if tt.wantNil {
				// A typed nil in an error interface would make err != nil true.
				if err != nil {
					t.Fatalf("OrNil() = %#v, want a nil error", err)
				}
				return
			}
			if err == nil {
				t.Fatal("OrNil() = nil, want the error")
			}
			var ve *core.ValidationError
			if !errors.As(fmt.Errorf("wrapped: %w", err), &ve) || ve != v {
				t.Fatalf("errors.As through a wrap did not find the same *ValidationError")
			}
			if err.Error() != tt.wantMsg {
				t.Errorf("Error() = %q, want %q", err.Error(), tt.wantMsg)
			}
			if fmt.Sprint(ve.Fields) != fmt.Sprint(tt.fields) {
				t.Errorf("Fields = %v, want %v", ve.Fields, tt.fields)
			}
			if errors.Is(err, core.ErrConflict) || errors.Is(err, core.ErrNotFound) || errors.Is(err, core.ErrForbidden) {
				t.Errorf("a validation error must not match another sentinel")
			}
		})
	}
}

func TestVacancyExpiry(t *testing.T) {
	t.Parallel()
	day := 24 * time.Hour
	if core.DefaultExpiryDays != 7 {
		t.Fatalf("DefaultExpiryDays = %d, want 7 (documented in README and the demo)", core.DefaultExpiryDays)
	}
	tests := []struct {
		days int
		want time.Duration
	}{
		{0, 7 * day},
		{-1, 7 * day},
		{-365, 7 * day},
		{1, day},
		{7, 7 * day},
		{30, 30 * day},
		{365, 365 * day},
	}
	for _, tt := range tests {
		if got := (core.Vacancy{ExpiryDays: tt.days}).Expiry(); got != tt.want {
			t.Errorf("Vacancy{ExpiryDays: %d}.Expiry() = %v, want %v", tt.days, got, tt.want)
		}
	}
}

func TestDefaultWriteBack(t *testing.T) {
	t.Parallel()
	wb := core.DefaultWriteBack()
	want := core.ReportConfig{ReadOnlyPageURL: true, PDFFile: true}
	if wb.Reports != want || wb.ScoreField.Enabled || wb.LabelField.Enabled {
		t.Fatalf("DefaultWriteBack() = %+v, want only the PDF file and the read-only page", wb)
	}
}

var idRe = regexp.MustCompile(`^([a-z]+)_([a-z2-7]{24})$`)

func TestNewID(t *testing.T) {
	t.Parallel()
	for _, prefix := range []string{"ord", "acc", "usr", "int", "vac", "cnd", "evt", "key", "mail"} {
		id := core.NewID(prefix)
		m := idRe.FindStringSubmatch(id)
		if m == nil {
			t.Errorf("NewID(%q) = %q, want %s_ then 24 lower-case base32 characters", prefix, id, prefix)
			continue
		}
		if m[1] != prefix {
			t.Errorf("NewID(%q) = %q has prefix %q", prefix, id, m[1])
		}
	}
}

func TestNewIDIsUnique(t *testing.T) {
	t.Parallel()
	const n = 20000
	seen := make(map[string]bool, n)
	// Counting characters also shows the ids are random over the whole
	// alphabet, not a counter or a timestamp.
	chars := map[rune]int{}
	for range n {
		id := core.NewID("ord")
		if seen[id] {
			t.Fatalf("duplicate id %s after %d ids", id, len(seen))
		}
		seen[id] = true
		for _, r := range strings.TrimPrefix(id, "ord_") {
			chars[r]++
		}
	}
	if len(chars) != 32 {
		t.Fatalf("ids use %d distinct characters, want all 32 of a-z2-7: %v", len(chars), chars)
	}
}

// TestVacancyIsInline: the flag, or the word "inline" in the name in any
// case; the letters inside another word do not count.
func TestVacancyIsInline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		flag   bool
		inline bool
	}{
		{"Support", false, false},
		{"Support", true, true},
		{"Support (inline)", false, true},
		{"INLINE assessment", false, true},
		{"Inline-Test", false, true},
		{"apply_inline", false, true},
		{"Mainline Support", false, false},
		{"Inlined", false, false},
		{"Pipeline inliner", false, false},
		{"Barista · Inline", false, true},
	}
	for _, tt := range tests {
		if got := (core.Vacancy{Name: tt.name, Inline: tt.flag}).IsInline(); got != tt.inline {
			t.Errorf("Vacancy{Name: %q, Inline: %v}.IsInline() = %v, want %v", tt.name, tt.flag, got, tt.inline)
		}
	}
}
