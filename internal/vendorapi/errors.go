package vendorapi

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"switchboard/internal/core"
	"switchboard/internal/vendorapi/result"
	"switchboard/internal/vendorapi/wire"
)

// apiError is every error the API answers: a wire.Status on the wire and a
// huma.StatusError to huma, so huma writes it as it is.
type apiError struct {
	wire.Status
}

func (e *apiError) Error() string  { return e.Message }
func (e *apiError) GetStatus() int { return e.StatusCode }

type serverKey struct{}

// init makes huma's own errors (a parameter or body that fails the schema,
// a body too large) come out as wire.Status. huma offers no per-API error
// factory, only these package variables; this package is the only huma API
// in the binary, and the factory reads everything per-API (the clock) from
// the request context, where authenticate puts the server.
func init() {
	huma.NewErrorWithContext = func(ctx huma.Context, status int, msg string, errs ...error) huma.StatusError {
		now := time.Now
		if s, ok := ctx.Context().Value(serverKey{}).(*server); ok {
			now = s.cfg.Now
		}
		return humaError(now(), status, msg, errs)
	}
	huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
		return humaError(time.Now(), status, msg, errs)
	}
}

// humaError turns one of huma's errors into the API's: huma's 422 for a
// request failing the schema is StackOne's 400, and each detail's location
// ("query.page_size", "header.x-account-id", "body.packages[0].id") becomes
// the field as the vendor names it.
func humaError(now time.Time, status int, msg string, errs []error) *apiError {
	var fields []wire.FieldError
	for _, err := range errs {
		var d *huma.ErrorDetail
		if errors.As(err, &d) {
			_, field, _ := strings.Cut(d.Location, ".")
			msg := d.Message
			// A missing property is reported at its object; name the property.
			if name, ok := strings.CutPrefix(msg, "expected required property "); ok {
				if name, ok := strings.CutSuffix(name, " to be present"); ok {
					field, msg = strings.TrimPrefix(field+"."+name, "."), "is required"
				}
			}
			fields = append(fields, wire.FieldError{Field: field, Message: msg})
		} else if err != nil {
			fields = append(fields, wire.FieldError{Message: err.Error()})
		}
	}
	switch status {
	case http.StatusUnprocessableEntity, http.StatusBadRequest:
		if len(fields) == 0 { // "request body is required"
			fields = []wire.FieldError{{Message: msg}}
		}
		status, msg = http.StatusBadRequest, "The request is invalid: see errors."
	case http.StatusRequestEntityTooLarge:
		msg = fmt.Sprintf("The body is larger than %d KiB.", result.MaxBodyBytes>>10)
		fields = nil
	case http.StatusInternalServerError:
		msg, fields = "Something went wrong on our side; try again later.", nil
	default:
		if msg != "" {
			msg = strings.ToUpper(msg[:1]) + msg[1:] + "."
		}
	}
	return &apiError{wire.Status{StatusCode: status, Message: msg, Timestamp: now.UTC(), Errors: fields}}
}

// fail maps an error of Vendors, Orders or a validator onto the answer the
// vendor reads; what it is not shown goes to the log.
func (s *server) fail(ctx context.Context, op string, err error) error {
	var inv *result.Invalid
	var ve *core.ValidationError
	code, msg := http.StatusInternalServerError, "Something went wrong on our side; try again later."
	var fields []wire.FieldError
	switch {
	case errors.As(err, &inv):
		code, msg = http.StatusBadRequest, "The request is invalid: see errors."
		for _, f := range inv.Fields {
			fields = append(fields, wire.FieldError{Field: f.Field, Message: f.Message})
		}
	case errors.As(err, &ve):
		code, msg = http.StatusBadRequest, "The request is invalid: see errors."
		for _, k := range slices.Sorted(maps.Keys(ve.Fields)) {
			fields = append(fields, wire.FieldError{Field: k, Message: ve.Fields[k]})
		}
	case errors.Is(err, core.ErrNotFound):
		code, msg = http.StatusNotFound, core.PublicMessage(err, "Not found.")
	case errors.Is(err, core.ErrConflict):
		code, msg = http.StatusConflict, core.PublicMessage(err, "The request conflicts with the current state.")
	case errors.Is(err, core.ErrForbidden):
		code, msg = http.StatusForbidden, core.PublicMessage(err, "Your vendor may not do this.")
	}
	if code == http.StatusInternalServerError {
		s.cfg.Logger.ErrorContext(ctx, "vendor API: "+op, "error", err)
	} else {
		s.cfg.Logger.DebugContext(ctx, "vendor API: "+op+" refused", "status", code, "error", err)
	}
	return &apiError{s.status(code, msg, fields)}
}

// invalid is a refused request of the API's own validation, as result.Parse
// would refuse it.
func invalid(fields []result.FieldError) error {
	if len(fields) == 0 {
		return nil
	}
	return &result.Invalid{Fields: fields}
}
