package ui

import (
	"errors"

	"switchboard/internal/core"
)

func asValidation(err error) (*core.ValidationError, bool) {
	var inv *core.ValidationError
	if errors.As(err, &inv) {
		return inv, true
	}
	return nil, false
}
