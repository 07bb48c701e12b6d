package engine

import (
	"context"
	"fmt"

	"switchboard/internal/assess"
	"switchboard/internal/core"
	"switchboard/internal/store"
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
	// A vacancy's parts are its modules (store.EngineParts).
	var parts []core.PackagePart
	for _, v := range vs {
		parts = append(parts, v.Parts...)
	}
	if len(vs) == 0 {
		parts = store.EngineParts(assess.DefaultPackage())
	}
	seen := map[string]bool{}
	var out []assess.Module
	for _, p := range parts {
		if !seen[p.Key] {
			seen[p.Key] = true
			out = append(out, assess.Module{Key: p.Key, Name: p.Name})
		}
	}
	return out, nil
}
