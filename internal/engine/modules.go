package engine

import (
	"context"
	"fmt"

	"switchboard/internal/assess"
	"switchboard/internal/core"
)

// IndicatorModules lists the modules whose scores become matching indicators
// in the account: every module of every vacancy, by key, first name wins; the
// default package's modules when there is no vacancy yet. The integration
// overview maps each to an ATS field.
func (e *Engine) IndicatorModules(ctx context.Context, actor core.User) ([]assess.Module, error) {
	vs, err := e.d.Store.ListVacancies(ctx, actor.AccountID)
	if err != nil {
		return nil, fmt.Errorf("indicator modules: %w", err)
	}
	pkgs := []assess.Package{}
	for _, v := range vs {
		pkgs = append(pkgs, v.Package)
	}
	if len(pkgs) == 0 {
		pkgs = append(pkgs, assess.DefaultPackage())
	}
	seen := map[string]bool{}
	var out []assess.Module
	for _, p := range pkgs {
		for _, m := range p.Modules {
			if !seen[m.Key] {
				seen[m.Key] = true
				out = append(out, assess.Module{Key: m.Key, Name: m.Name})
			}
		}
	}
	return out, nil
}
