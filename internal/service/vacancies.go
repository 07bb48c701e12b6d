package service

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"

	"switchboard/internal/assess"
	"switchboard/internal/core"
	"switchboard/internal/store"
)

// VacancyInput is what a user gives to create or change a vacancy. Nil fields
// of an update are left alone; on create, a nil Package is the default package
// and nil Thresholds the default thresholds. Package and Thresholds are the
// built-in engine's configuration of the vacancy, so the vacancies edited
// here are store.EngineVacancy.
type VacancyInput struct {
	Name       *string
	Package    *assess.Package
	Thresholds *assess.Thresholds
	Tag        *string
	Inline     *bool
	ExpiryDays *int
	ReturnURL  *string
}

func (in VacancyInput) apply(v *store.EngineVacancy) error {
	bad := core.Invalid()
	if in.Name != nil {
		v.Name = strings.TrimSpace(*in.Name)
	}
	if v.Name == "" {
		bad.Add("name", "is required")
	}
	// An outside vendor's package has its questions at the vendor: only
	// the name, routing tag and return page are Switchboard's to set.
	switch {
	case !v.Builtin() && (in.Package != nil || in.Thresholds != nil || in.ExpiryDays != nil):
		bad.Add("package", "is the vendor's own: only the name, tag and return URL of a vendor's package can be changed here")
	case v.Builtin():
		if in.Package != nil {
			v.Package = *in.Package
			v.Parts = store.EngineParts(v.Package)
		}
		if err := v.Package.Validate(); err != nil {
			bad.Add("package", err.Error())
		}
		if in.Thresholds != nil {
			v.Thresholds = *in.Thresholds
		}
		if err := v.Thresholds.Validate(); err != nil {
			bad.Add("thresholds", err.Error())
		}
	}
	if in.Tag != nil {
		v.Tag = strings.TrimSpace(*in.Tag)
	}
	if in.Inline != nil {
		v.Inline = *in.Inline
	}
	if in.ExpiryDays != nil {
		v.ExpiryDays = *in.ExpiryDays
	}
	if v.ExpiryDays < 0 || v.ExpiryDays > 365 {
		bad.Add("expiry_days", "must be between 1 and 365 (0 means the default of 7)")
	}
	if in.ReturnURL != nil {
		v.ReturnURL = strings.TrimSpace(*in.ReturnURL)
	}
	if v.ReturnURL != "" {
		if u, err := url.Parse(v.ReturnURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			bad.Add("return_url", "must be an absolute http(s) URL")
		}
	}
	return bad.OrNil()
}

// CreateVacancy adds a vacancy to the actor's account.
func (s *Service) CreateVacancy(ctx context.Context, actor core.User, in VacancyInput) (store.EngineVacancy, error) {
	if !actor.Role.CanManageVacancies() {
		return store.EngineVacancy{}, fmt.Errorf("create vacancy: %w", core.ErrForbidden)
	}
	now := s.now()
	v := store.EngineVacancy{Vacancy: core.Vacancy{
		ID: core.NewID("vac"), AccountID: actor.AccountID, VendorID: core.BuiltinVendorID, Kind: core.KindAssessment,
		CreatedAt: now, UpdatedAt: now,
	}, Package: assess.DefaultPackage(), Thresholds: assess.DefaultThresholds()}.WithParts()
	if err := in.apply(&v); err != nil {
		return store.EngineVacancy{}, err
	}
	if err := s.d.Store.CreateVacancy(ctx, v); err != nil {
		if errors.Is(err, core.ErrConflict) {
			// Ids are random: what clashes is the tag.
			err = core.Explain(err, "another vacancy already has the tag %q", v.Tag)
		}
		return store.EngineVacancy{}, fmt.Errorf("create vacancy: %w", err)
	}
	return v, nil
}

// UpdateVacancy changes a vacancy of the actor's account.
func (s *Service) UpdateVacancy(ctx context.Context, actor core.User, id string, in VacancyInput) (store.EngineVacancy, error) {
	if !actor.Role.CanManageVacancies() {
		return store.EngineVacancy{}, fmt.Errorf("update vacancy: %w", core.ErrForbidden)
	}
	var out store.EngineVacancy
	err := s.d.Store.InTx(ctx, func(tx store.Tx) error {
		v, err := s.vacancyFor(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		before := v
		if err := in.apply(&v); err != nil {
			return err
		}
		if !reflect.DeepEqual(before.Package, v.Package) {
			if err := s.refuseWhileTaken(ctx, tx, v.Vacancy); err != nil {
				return err
			}
		}
		if v.Tag != "" && v.Tag != before.Tag {
			if err := tagFree(ctx, tx, v.Vacancy); err != nil {
				return err
			}
		}
		v.UpdatedAt = s.now()
		if err := tx.UpdateVacancy(ctx, v); err != nil {
			if errors.Is(err, core.ErrConflict) {
				err = core.Explain(err, "the vacancy was changed meanwhile: load it again and repeat your change")
			}
			return err
		}
		v.Version++
		out = v
		return nil
	})
	if err != nil {
		return store.EngineVacancy{}, fmt.Errorf("update vacancy: %w", err)
	}
	return out, nil
}

func (s *Service) vacancyFor(ctx context.Context, q store.Queries, actor core.User, id string) (store.EngineVacancy, error) {
	v, err := q.GetEngineVacancy(ctx, id)
	if err == nil && v.AccountID != actor.AccountID {
		err = fmt.Errorf("vacancy %s: %w", id, core.ErrNotFound)
	}
	if errors.Is(err, core.ErrNotFound) {
		return store.EngineVacancy{}, core.Explain(err, "there is no vacancy %q in your account", id)
	}
	if err != nil {
		return store.EngineVacancy{}, err
	}
	return v, nil
}

// Vacancy returns one vacancy of the actor's account, with the engine's
// configuration of it.
func (s *Service) Vacancy(ctx context.Context, actor core.User, id string) (store.EngineVacancy, error) {
	v, err := s.vacancyFor(ctx, s.d.Store, actor, id)
	if err != nil {
		return store.EngineVacancy{}, fmt.Errorf("vacancy: %w", err)
	}
	return v, nil
}

// Vacancies lists the actor's account's vacancies.
func (s *Service) Vacancies(ctx context.Context, actor core.User) ([]core.Vacancy, error) {
	vs, err := s.d.Store.ListVacancies(ctx, actor.AccountID)
	if err != nil {
		return nil, fmt.Errorf("vacancies: %w", err)
	}
	return vs, nil
}

// EngineVacancies lists the actor's account's vacancies with the engine's
// configuration of each, as the admin API shows them.
func (s *Service) EngineVacancies(ctx context.Context, actor core.User) ([]store.EngineVacancy, error) {
	vs, err := s.d.Store.ListEngineVacancies(ctx, actor.AccountID)
	if err != nil {
		return nil, fmt.Errorf("vacancies: %w", err)
	}
	return vs, nil
}

// tagFree refuses a tag another vacancy of the account has, before the
// update: a failed statement would end a PostgreSQL transaction, and the
// store's conflict cannot tell a taken tag from a stale version.
func tagFree(ctx context.Context, q store.Queries, v core.Vacancy) error {
	vs, err := q.ListVacancies(ctx, v.AccountID)
	if err != nil {
		return err
	}
	for _, o := range vs {
		if o.ID != v.ID && o.Tag == v.Tag {
			return core.Explain(fmt.Errorf("vacancy %s: tag %q is taken by %s: %w", v.ID, v.Tag, o.ID, core.ErrConflict),
				"another vacancy already has the tag %q", v.Tag)
		}
	}
	return nil
}

// refuseWhileTaken refuses a change to a vacancy's questions while
// candidates hold open invitations to it: their saved answers would stop
// matching the questions, and they could not finish.
func (s *Service) refuseWhileTaken(ctx context.Context, q store.Queries, v core.Vacancy) error {
	open := 0
	for _, st := range []core.State{core.StateInvited, core.StateInProgress} {
		page, err := q.ListOrders(ctx, v.AccountID, store.OrderFilter{VacancyID: v.ID, State: st, Limit: 1})
		if err != nil {
			return err
		}
		open += page.Total
	}
	if open > 0 {
		return core.Invalid("package", fmt.Sprintf(
			"%d candidate(s) hold an open invitation to this vacancy; its questions can change once they finish or their invitations expire (or create a new vacancy)", open))
	}
	return nil
}
