// Package vendorapi is the vendor API's HTTP layer: the StackOne-shaped
// routes under /api/vendor through which an outside vendor posts results,
// pulls orders, pushes packages and manages its webhook endpoint.
//
// Every operation is registered once with huma, from its input and output
// types; the same registration routes the request and writes the OpenAPI 3.1
// document (OpenAPI), so the document cannot drift from the handlers. The
// document is served at /api/vendor/openapi.json and rendered as a reference
// page at /api/vendor/docs without any external asset.
//
// What is served here and what is decided elsewhere: this package
// authenticates the vendor, checks the account header, validates bodies
// (result updates with result.Parse, which huma's decoder never sees) and
// maps errors onto statuses; Vendors and Orders do the work. Every error
// body is a wire.Status.
package vendorapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"switchboard/internal/core"
	"switchboard/internal/vendorapi/result"
	"switchboard/internal/vendorapi/wire"
)

// Prefix is where the vendor API is mounted; New serves paths under it.
const Prefix = "/api/vendor"

// Vendors is what the API needs of the vendor side.
type Vendors interface {
	// Authenticate finds the active vendor of an API key; ok=false for an unknown, revoked or disabled vendor's key.
	Authenticate(ctx context.Context, key string) (v core.Vendor, ok bool, err error)
	// CheckLinked returns a core.ErrForbidden-wrapping error when v is not linked to the account.
	CheckLinked(ctx context.Context, v core.Vendor, accountID string) error
	Packages(ctx context.Context, v core.Vendor, kind core.Kind) ([]core.VendorPackage, error)
	ReplacePackages(ctx context.Context, v core.Vendor, kind core.Kind, ps []core.VendorPackage) ([]core.VendorPackage, error)
	Webhook(ctx context.Context, v core.Vendor) (wire.Webhook, error)
	SetWebhook(ctx context.Context, v core.Vendor, url string) (wire.Webhook, error)
	RotateWebhookSecret(ctx context.Context, v core.Vendor) (wire.Webhook, error)
	EnableWebhook(ctx context.Context, v core.Vendor) (wire.Webhook, error)
	SetPackageSource(ctx context.Context, v core.Vendor, src wire.PackageSource) error
	DeletePackageSource(ctx context.Context, v core.Vendor) error
}

// Orders is what the API needs of the order side. Each method answers
// core.ErrNotFound for an order of another vendor, account or kind.
type Orders interface {
	VendorResult(ctx context.Context, v core.Vendor, accountID string, kind core.Kind, orderID string, u result.Update) error
	VendorOrders(ctx context.Context, v core.Vendor, accountID string, kind core.Kind, open bool, after string, limit int) (page []wire.Order, next string, err error)
	VendorOrder(ctx context.Context, v core.Vendor, accountID string, kind core.Kind, orderID string) (wire.Order, error)
}

// Config is what New needs.
type Config struct {
	Vendors Vendors
	Orders  Orders
	// Connectors lists what each ATS shows of a result; nil lists none.
	Connectors func() []wire.ConnectorMeta
	// Now is the clock of error timestamps; nil is time.Now.
	Now func() time.Time
	// Logger receives what a vendor is not shown; nil discards it.
	Logger *slog.Logger
	// ResultOptions are the URL rules for result updates, and for the
	// webhook and package source URLs too: AllowHTTP admits http:// there
	// as well (a vendor on a private network, or development).
	ResultOptions result.Options
}

// server is one New's state, reached by the handlers through their closure
// and by huma's error factory through the request context.
type server struct {
	cfg Config
	api huma.API
	mux *http.ServeMux
	doc []byte // the OpenAPI document, JSON
}

// New returns the vendor API's handler. It serves only paths under Prefix;
// anything else under it gets a wire.Status 404 or 405.
func New(cfg Config) (http.Handler, error) {
	if cfg.Vendors == nil || cfg.Orders == nil {
		return nil, errors.New("vendorapi: Config needs Vendors and Orders")
	}
	s, err := build(cfg, nil)
	if err != nil {
		return nil, err
	}
	return s.mux, nil
}

// OpenAPI returns the OpenAPI 3.1 document of the routes New serves.
func OpenAPI() ([]byte, error) {
	s, err := build(Config{}, nil)
	if err != nil {
		return nil, err
	}
	return s.doc, nil
}

// build registers every operation on a new mux. record, when set, is told
// each pattern the mux gets (the route test compares them with the document).
func build(cfg Config, record func(pattern string)) (*server, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Connectors == nil {
		cfg.Connectors = func() []wire.ConnectorMeta { return nil }
	}
	s := &server{cfg: cfg, mux: http.NewServeMux()}
	var mux humago.Mux = s.mux
	if record != nil {
		mux = recordingMux{ServeMux: s.mux, record: record}
	}
	s.api = humago.NewWithPrefix(mux, Prefix, apiConfig())
	s.api.UseMiddleware(s.authenticate)
	s.register()
	doc, err := json.Marshal(s.api.OpenAPI())
	if err != nil {
		return nil, fmt.Errorf("vendorapi: marshal the OpenAPI document: %w", err)
	}
	s.doc = doc
	page, err := renderDocs(s.api.OpenAPI())
	if err != nil {
		return nil, fmt.Errorf("vendorapi: render the reference page: %w", err)
	}
	mux.HandleFunc("GET "+Prefix+"/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(doc)
	})
	mux.HandleFunc("GET "+Prefix+"/docs", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		w.Write(page)
	})
	mux.HandleFunc(Prefix+"/", s.noRoute)
	return s, nil
}

// apiConfig is huma's configuration: OpenAPI 3.1, JSON only, and none of
// huma's own routes (its docs page loads scripts from a CDN; the document
// and the reference page are served by build) or its $schema links.
func apiConfig() huma.Config {
	c := huma.DefaultConfig("Switchboard vendor API", "1.0.0")
	c.CreateHooks = nil
	c.OpenAPIPath, c.DocsPath, c.SchemasPath = "", "", ""
	c.Info.Description = "How an assessment or background-check vendor connects to Switchboard: " +
		"receive orders at your webhook endpoint, post results back, list open orders and publish your packages. " +
		"StackOne-shaped: a vendor that integrated StackOne's assessment API ports with a base-URL change. " +
		"Authenticate with HTTP Basic, your vendor API key as the user name and an empty password; " +
		"account-scoped operations name the linked account in the x-account-id header."
	c.Components.Schemas = huma.NewMapRegistry("#/components/schemas/", schemaName)
	c.Servers = []*huma.Server{{URL: Prefix}}
	c.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"basic": {Type: "http", Scheme: "basic", Description: "Your vendor API key as the user name, an empty password."},
	}
	c.Security = []map[string][]string{{"basic": {}}}
	return c
}

// schemaName names the document's schemas: result's parts get their
// package's name in front (its Candidate is not wire's), and its Body is
// the result update.
func schemaName(t reflect.Type, hint string) string {
	name := huma.DefaultSchemaNamer(t, hint)
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.PkgPath() != reflect.TypeFor[result.Body]().PkgPath() {
		return name
	}
	if t == reflect.TypeFor[result.Body]() {
		return "ResultUpdate"
	}
	return "Result" + name
}

// recordingMux tells build's caller every pattern registered.
type recordingMux struct {
	*http.ServeMux
	record func(pattern string)
}

func (m recordingMux) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	m.record(pattern)
	m.ServeMux.HandleFunc(pattern, h)
}

// noRoute answers what no route matched under Prefix: 405 when the path is
// served for another method, 404 otherwise, as a wire.Status.
func (s *server) noRoute(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != Prefix+"/" {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		for _, m := range allow {
			w.Header().Add("Allow", m)
		}
		s.writeStatus(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s is not served for %s; see %s/docs.", r.Method, r.URL.Path, Prefix), nil)
		return
	}
	s.writeStatus(w, http.StatusNotFound, fmt.Sprintf("There is no %s; see %s/docs for the routes.", r.URL.Path, Prefix), nil)
}

// writeStatus writes a wire.Status outside huma (routes it does not serve).
func (s *server) writeStatus(w http.ResponseWriter, status int, msg string, fields []wire.FieldError) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(s.statusJSON(s.status(status, msg, fields)))
}

// statusJSON is st as written where huma does not write it.
func (s *server) statusJSON(st wire.Status) []byte {
	b, err := json.Marshal(st)
	if err != nil { // a Status always marshals
		s.cfg.Logger.Error("vendor API: marshal status", "error", err)
	}
	return b
}

func (s *server) status(code int, msg string, fields []wire.FieldError) wire.Status {
	return wire.Status{StatusCode: code, Message: msg, Timestamp: s.cfg.Now().UTC(), Errors: fields}
}
