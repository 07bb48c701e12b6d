package vendorapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"switchboard/internal/core"
)

// challenge is the WWW-Authenticate of every 401.
const challenge = `Basic realm="switchboard vendor API"`

type vendorKey struct{}

// authenticate runs before huma reads parameters or body, so a request
// without a valid key is refused 401 whatever else is wrong with it. It
// puts the server (for huma's error factory) and the vendor in the context.
func (s *server) authenticate(ctx huma.Context, next func(huma.Context)) {
	ctx = huma.WithValue(ctx, serverKey{}, s)
	r, _ := humago.Unwrap(ctx)
	if r.Header.Get("Authorization") == "" {
		s.unauthorized(ctx, "Send your vendor API key: HTTP Basic authentication with the key as the user name and an empty password.")
		return
	}
	key, _, ok := r.BasicAuth()
	if !ok || key == "" {
		s.unauthorized(ctx, "The Authorization header is not HTTP Basic with your vendor API key as the user name.")
		return
	}
	v, ok, err := s.cfg.Vendors.Authenticate(ctx.Context(), key)
	if err != nil {
		s.writeErr(ctx, s.fail(ctx.Context(), "authenticate", err).(*apiError))
		return
	}
	if !ok {
		s.unauthorized(ctx, "The vendor API key is unknown or revoked, or its vendor is disabled.")
		return
	}
	next(huma.WithValue(ctx, vendorKey{}, v))
}

func (s *server) unauthorized(ctx huma.Context, msg string) {
	ctx.SetHeader("WWW-Authenticate", challenge)
	s.writeErr(ctx, &apiError{s.status(http.StatusUnauthorized, msg, nil)})
}

// writeErr answers e from a middleware, where no handler returns it to huma.
func (s *server) writeErr(ctx huma.Context, e *apiError) {
	ctx.SetHeader("Content-Type", "application/json")
	ctx.SetStatus(e.StatusCode)
	ctx.BodyWriter().Write(s.statusJSON(e.Status))
}

// vendorOf is the vendor authenticate found.
func vendorOf(ctx context.Context) core.Vendor {
	v, _ := ctx.Value(vendorKey{}).(core.Vendor)
	return v
}
