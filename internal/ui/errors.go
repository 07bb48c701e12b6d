package ui

import (
	"errors"

	"switchboard/internal/core"
	"switchboard/internal/strictjson"
)

func asValidation(err error) (*core.ValidationError, bool) {
	var inv *core.ValidationError
	if errors.As(err, &inv) {
		return inv, true
	}
	return nil, false
}

// jsonProblem is what is wrong with JSON typed into a form, in the words of
// the JSON (see strictjson).
func jsonProblem(err error) string {
	var je *strictjson.Error
	if errors.As(err, &je) {
		return je.Message
	}
	return "cannot be read as JSON"
}
