package vendorapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"

	"switchboard/internal/core"
	"switchboard/internal/vendorapi/result"
	"switchboard/internal/vendorapi/wire"
)

// The inputs shared by operations, embedded in each one's input. They are
// exported only because huma reads an embedded struct's parameters only
// when the embedded type is exported.
type (
	// KindPath is the {kind} of /unified/ats/{kind}/….
	KindPath struct {
		Kind string `path:"kind" enum:"assessments,background_checks" doc:"The kind of package: assessments or background_checks. It must be the order's kind."`
	}
	// AccountHeader names the account of an account-scoped operation.
	AccountHeader struct {
		AccountID string `header:"x-account-id" required:"true" maxLength:"255" doc:"The id of the account the order belongs to (the delivery's data.account_id); your vendor must be linked to it."`
	}
	// OrderPath is the {id} of an order's path.
	OrderPath struct {
		ID string `path:"id" maxLength:"255" doc:"The order's id, the delivery's data.id."`
	}
)

// kind is the core kind of a path's {kind}; huma has checked the enum.
func (p KindPath) kind() core.Kind {
	if p.Kind == "background_checks" {
		return core.KindBackgroundCheck
	}
	return core.KindAssessment
}

type resultInput struct {
	KindPath
	OrderPath
	AccountHeader
	// RawBody is the result update as sent: result.Parse reads it, so that
	// every fault is reported field by field; huma only documents it.
	RawBody []byte
}

type listOrdersInput struct {
	KindPath
	AccountHeader
	Status   string `query:"status" enum:"open" doc:"open lists only orders still waiting for a result; leave it out for all orders."`
	Next     string `query:"next" maxLength:"1024" doc:"The next cursor of the previous page."`
	PageSize int    `query:"page_size" minimum:"1" maximum:"250" default:"25" doc:"Orders per page."`
}

type orderInput struct {
	KindPath
	OrderPath
	AccountHeader
}

type packagesInput struct {
	KindPath
}

type replacePackagesInput struct {
	KindPath
	Body wire.PackageReplace
}

type providerInput struct {
	Provider string `path:"provider" maxLength:"100" doc:"The ATS, like lever or smartrecruiters."`
}

// WebhookURL is the body of PUT /webhook.
type webhookInput struct {
	Body struct {
		URL string `json:"url" doc:"Where Switchboard posts your orders: an absolute https URL."`
	}
}

type packageSourceInput struct {
	Body wire.PackageSource
}

type noInput struct{}

// The outputs.
type (
	statusOutput   struct{ Body wire.Status }
	orderListOut   struct{ Body wire.OrderList }
	orderOut       struct{ Body orderData }
	packageListOut struct{ Body wire.PackageList }
	packagesOut    struct{ Body packagesData }
	connectorsOut  struct{ Body connectorsData }
	connectorOut   struct{ Body connectorData }
	webhookOut     struct{ Body wire.Webhook }
	orderData      struct {
		Data wire.Order `json:"data"`
	}
	packagesData struct {
		Data []wire.Package `json:"data"`
	}
	connectorsData struct {
		Data []wire.ConnectorMeta `json:"data"`
	}
	connectorData struct {
		Data wire.ConnectorMeta `json:"data"`
	}
)

// scoreNumber documents result.Number: StackOne sends score numbers as
// strings, others as numbers, and both are read.
type scoreNumber struct{}

// Schema implements huma.SchemaProvider.
func (scoreNumber) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{
		Description: `A decimal number, as a JSON number (80) or a string holding one ("80").`,
		OneOf: []*huma.Schema{
			{Type: "string", Pattern: `^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`},
			{Type: "number"},
		},
	}
}

// Limits of the package replace body.
const (
	MaxPackages           = 500
	maxPackageIDLength    = 255
	maxPackageNameLength  = 200
	maxPackageDescription = 2000
	maxKeyLength          = 255
)

const (
	tagResults  = "Results"
	tagOrders   = "Orders"
	tagPackages = "Packages"
	tagWebhook  = "Webhook"
	tagMeta     = "Connectors"
)

// errors documents the error answers of an operation.
func (s *server) errors(codes ...int) map[string]*huma.Response {
	schema := s.api.OpenAPI().Components.Schemas.Schema(reflect.TypeFor[wire.Status](), true, "Status")
	rs := map[string]*huma.Response{}
	for _, c := range append([]int{http.StatusUnauthorized, http.StatusInternalServerError}, codes...) {
		rs[strconv.Itoa(c)] = &huma.Response{
			Description: errorDoc[c],
			Content:     map[string]*huma.MediaType{"application/json": {Schema: schema}},
		}
	}
	return rs
}

var errorDoc = map[int]string{
	http.StatusBadRequest:            "The request is invalid; errors lists each field at fault.",
	http.StatusUnauthorized:          "The vendor API key is missing, malformed, unknown or revoked, or the vendor is disabled.",
	http.StatusForbidden:             "Your vendor is not linked to the account of x-account-id.",
	http.StatusNotFound:              "No such order of yours in that account and kind.",
	http.StatusConflict:              "The order can no longer take this result (it is expired, cancelled or completed).",
	http.StatusRequestEntityTooLarge: "The body is too large.",
	http.StatusInternalServerError:   "Something went wrong on Switchboard's side; try again later.",
}

// register adds every operation: the route, its handler and its document.
func (s *server) register() {
	reg := s.api.OpenAPI().Components.Schemas
	reg.RegisterTypeAlias(reflect.TypeFor[result.Number](), reflect.TypeFor[scoreNumber]())
	reg.RegisterTypeAlias(reflect.TypeFor[json.RawMessage](), reflect.TypeFor[map[string]any]())

	update := s.op("update-result", http.MethodPatch, "/unified/ats/{kind}/orders/{id}/result", tagResults, "Update an order's result",
		"Posts the order's status and results: result.value moves the order (initiated keeps it invited, in_progress marks it started, "+
			"completed, passed, failed and unmapped_value complete it, cancelled and expired end it); a score, summary or result_url alone completes it. "+
			"A score needs value, min and max together, as numbers or strings holding numbers, with min ≤ value ≤ max. "+
			"Attachments need a url and a content_type; URLs must be https. A result for an order that ended is refused 409. "+
			fmt.Sprintf("result.value is one of %s, %s, %s, %s, %s, %s, %s or %s (unmapped_value with source_value saying what it is); ",
				result.Initiated, result.InProgress, result.Cancelled, result.Completed, result.Expired, result.Failed, result.Passed, result.UnmappedValue)+
			fmt.Sprintf("attachments[].content_type.value one of %s, %s, %s, %s or %s.",
				result.ContentText, result.ContentPDF, result.ContentVideo, result.ContentOther, result.ContentUnmapped),
		http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusRequestEntityTooLarge)
	update.RequestBody = &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{
		"application/json": {Schema: reg.Schema(reflect.TypeFor[result.Body](), true, "ResultUpdate")},
	}}
	update.SkipValidateBody = true
	huma.Register(s.api, update, s.updateResult)
	// RawBody adds an application/octet-stream body to the document; the
	// body is JSON, as documented above.
	delete(s.api.OpenAPI().Paths[update.Path].Patch.RequestBody.Content, "application/octet-stream")

	huma.Register(s.api, s.op("list-orders", http.MethodGet, "/unified/ats/{kind}/orders", tagOrders, "List orders",
		"Lists your orders in the account, newest first, a page at a time; next is the cursor of the following page, null on the last one.",
		http.StatusBadRequest, http.StatusForbidden), s.listOrders)
	huma.Register(s.api, s.op("get-order", http.MethodGet, "/unified/ats/{kind}/orders/{id}", tagOrders, "Get an order", "",
		http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound), s.getOrder)
	huma.Register(s.api, s.op("list-packages", http.MethodGet, "/unified/ats/{kind}/packages", tagPackages, "List your packages",
		"Lists the packages of this kind stored for your vendor (pushed here or entered by the operator). "+
			"No x-account-id: packages are your vendor's, for every linked account.",
		http.StatusBadRequest), s.listPackages)
	huma.Register(s.api, s.op("replace-packages", http.MethodPut, "/unified/ats/{kind}/packages", tagPackages, "Replace your packages",
		fmt.Sprintf("Replaces all your packages of this kind with the list sent (an empty list removes them). "+
			"At most %d packages; ids unique and non-empty (at most %d characters), names non-empty (at most %d characters), "+
			"descriptions at most %d characters; type, when sent, must be the path's kind.",
			MaxPackages, maxPackageIDLength, maxPackageNameLength, maxPackageDescription),
		http.StatusBadRequest, http.StatusRequestEntityTooLarge), s.replacePackages)
	huma.Register(s.api, s.op("list-connectors", http.MethodGet, "/connectors/meta", tagMeta, "What each ATS shows of a result",
		"Lists the ATSs Switchboard connects to and which parts of a result each shows a recruiter."), s.listConnectors)
	huma.Register(s.api, s.op("get-connector", http.MethodGet, "/connectors/meta/{provider}", tagMeta, "What one ATS shows of a result", "",
		http.StatusBadRequest, http.StatusNotFound), s.getConnector)
	huma.Register(s.api, s.op("get-webhook", http.MethodGet, "/webhook", tagWebhook, "Show your webhook endpoint",
		"Shows where orders are delivered, and whether the endpoint was disabled after failing, since when and why."), s.webhook("get webhook", Vendors.Webhook))
	huma.Register(s.api, s.op("set-webhook", http.MethodPut, "/webhook", tagWebhook, "Set your webhook endpoint",
		"Sets the URL orders are delivered to (absolute https). The signing secret is in the answer only when it is first created: keep it.",
		http.StatusBadRequest, http.StatusRequestEntityTooLarge), s.setWebhook)
	huma.Register(s.api, s.op("rotate-webhook-secret", http.MethodPost, "/webhook/rotate", tagWebhook, "Rotate the signing secret",
		"Makes a new signing secret, shown once in the answer; the previous one keeps signing too (both signatures are sent) until previous_valid_until.",
		http.StatusNotFound), s.webhook("rotate webhook secret", Vendors.RotateWebhookSecret))
	huma.Register(s.api, s.op("enable-webhook", http.MethodPost, "/webhook/enable", tagWebhook, "Re-enable your webhook endpoint",
		"Switches deliveries back on after the endpoint was disabled for failing.", http.StatusNotFound), s.webhook("enable webhook", Vendors.EnableWebhook))
	huma.Register(s.api, s.op("set-package-source", http.MethodPut, "/package_source", tagPackages, "Set your package list endpoint",
		"Switchboard then POSTs {job_id, account_id, provider} to url, with HTTP Basic authentication (key as the user name) and "+
			"the webhook signature headers, and lists the packages it answers; your stored packages are the fallback.",
		http.StatusBadRequest, http.StatusRequestEntityTooLarge), s.setPackageSource)
	huma.Register(s.api, s.op("delete-package-source", http.MethodDelete, "/package_source", tagPackages, "Remove your package list endpoint",
		"Switchboard then lists your stored packages only."), s.deletePackageSource)
}

// op is an operation's description: its route, words and error answers.
// Operations with a body read at most result.MaxBodyBytes of it.
func (s *server) op(id, method, path, tag, summary, description string, errorCodes ...int) huma.Operation {
	return huma.Operation{
		OperationID: id, Method: method, Path: path, Tags: []string{tag}, Summary: summary, Description: description,
		MaxBodyBytes: result.MaxBodyBytes + 1, // huma refuses a body of exactly its limit
		Responses:    s.errors(errorCodes...),
	}
}

func (s *server) linked(ctx context.Context, v core.Vendor, accountID string) error {
	if err := s.cfg.Vendors.CheckLinked(ctx, v, accountID); err != nil {
		return s.fail(ctx, "check link", err)
	}
	return nil
}

func (s *server) updateResult(ctx context.Context, in *resultInput) (*statusOutput, error) {
	v := vendorOf(ctx)
	if err := s.linked(ctx, v, in.AccountID); err != nil {
		return nil, err
	}
	u, err := result.Parse(bytes.NewReader(in.RawBody), s.cfg.ResultOptions)
	if err != nil {
		return nil, s.fail(ctx, "read result update", err)
	}
	if err := s.cfg.Orders.VendorResult(ctx, v, in.AccountID, in.kind(), in.ID, u); err != nil {
		return nil, s.fail(ctx, "update result", err)
	}
	return &statusOutput{s.status(http.StatusOK, "Record updated successfully.", nil)}, nil
}

func (s *server) listOrders(ctx context.Context, in *listOrdersInput) (*orderListOut, error) {
	v := vendorOf(ctx)
	if err := s.linked(ctx, v, in.AccountID); err != nil {
		return nil, err
	}
	page, next, err := s.cfg.Orders.VendorOrders(ctx, v, in.AccountID, in.kind(), in.Status == "open", in.Next, in.PageSize)
	if err != nil {
		return nil, s.fail(ctx, "list orders", err)
	}
	out := &orderListOut{wire.OrderList{Data: page}}
	if out.Body.Data == nil {
		out.Body.Data = []wire.Order{}
	}
	if next != "" {
		out.Body.Next = &next
	}
	return out, nil
}

func (s *server) getOrder(ctx context.Context, in *orderInput) (*orderOut, error) {
	v := vendorOf(ctx)
	if err := s.linked(ctx, v, in.AccountID); err != nil {
		return nil, err
	}
	o, err := s.cfg.Orders.VendorOrder(ctx, v, in.AccountID, in.kind(), in.ID)
	if err != nil {
		return nil, s.fail(ctx, "get order", err)
	}
	return &orderOut{orderData{o}}, nil
}

func (s *server) listPackages(ctx context.Context, in *packagesInput) (*packageListOut, error) {
	ps, err := s.cfg.Vendors.Packages(ctx, vendorOf(ctx), in.kind())
	if err != nil {
		return nil, s.fail(ctx, "list packages", err)
	}
	return &packageListOut{wire.PackageList{Data: wirePackages(ps)}}, nil
}

func (s *server) replacePackages(ctx context.Context, in *replacePackagesInput) (*packagesOut, error) {
	v := vendorOf(ctx)
	ps, err := checkPackages(v, in.kind(), in.Body.Packages)
	if err != nil {
		return nil, s.fail(ctx, "replace packages", err)
	}
	stored, err := s.cfg.Vendors.ReplacePackages(ctx, v, in.kind(), ps)
	if err != nil {
		return nil, s.fail(ctx, "replace packages", err)
	}
	return &packagesOut{packagesData{wirePackages(stored)}}, nil
}

// checkPackages validates a replace body, every fault at once.
func checkPackages(v core.Vendor, kind core.Kind, in []wire.Package) ([]core.VendorPackage, error) {
	if len(in) > MaxPackages {
		return nil, invalid([]result.FieldError{{Field: "packages", Message: fmt.Sprintf("has %d items: at most %d are allowed", len(in), MaxPackages)}})
	}
	var errs []result.FieldError
	add := func(field, msg string) { errs = append(errs, result.FieldError{Field: field, Message: msg}) }
	seen := map[string]int{}
	out := make([]core.VendorPackage, 0, len(in))
	for i, p := range in {
		f := fmt.Sprintf("packages[%d]", i)
		if msg := lineProblem(p.ID, maxPackageIDLength, "your own id of the package"); msg != "" {
			add(f+".id", msg)
		} else if j, dup := seen[p.ID]; dup {
			add(f+".id", fmt.Sprintf("is the same as packages[%d].id: ids must be unique", j))
		} else {
			seen[p.ID] = i
		}
		if msg := lineProblem(p.Name, maxPackageNameLength, "the name a recruiter picks the package by"); msg != "" {
			add(f+".name", msg)
		}
		if utf8.RuneCountInString(p.Description) > maxPackageDescription {
			add(f+".description", fmt.Sprintf("is longer than %d characters", maxPackageDescription))
		}
		if p.Type != "" && p.Type != string(kind) {
			add(f+".type", fmt.Sprintf("must be %s, the kind of the path, or left out", kind))
		}
		out = append(out, core.VendorPackage{VendorID: v.ID, ID: p.ID, Kind: kind, Name: p.Name, Description: p.Description, Source: core.PackagesPushed})
	}
	if err := invalid(errs); err != nil {
		return nil, err
	}
	return out, nil
}

// lineProblem is what is wrong with a required one-line text field, "" when
// nothing; what says what the field is for.
func lineProblem(s string, max int, what string) string {
	switch {
	case s == "":
		return "is required: " + what
	case utf8.RuneCountInString(s) > max:
		return fmt.Sprintf("is longer than %d characters", max)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "must be one line of text, without control characters such as line breaks or tabs"
	}
	return ""
}

func wirePackages(ps []core.VendorPackage) []wire.Package {
	out := make([]wire.Package, 0, len(ps))
	for _, p := range ps {
		out = append(out, wire.Package{ID: p.ID, Name: p.Name, Description: p.Description, Type: string(p.Kind)})
	}
	return out
}

func (s *server) listConnectors(ctx context.Context, _ *noInput) (*connectorsOut, error) {
	cs := s.cfg.Connectors()
	if cs == nil {
		cs = []wire.ConnectorMeta{}
	}
	return &connectorsOut{connectorsData{cs}}, nil
}

func (s *server) getConnector(ctx context.Context, in *providerInput) (*connectorOut, error) {
	for _, c := range s.cfg.Connectors() {
		if c.Provider == in.Provider {
			return &connectorOut{connectorData{c}}, nil
		}
	}
	return nil, s.fail(ctx, "get connector", core.Explain(core.ErrNotFound,
		"Switchboard connects to no ATS called %q; GET /connectors/meta lists them.", in.Provider))
}

// webhook is the handler of an operation that is one call of Vendors on
// the vendor's endpoint (a method expression, as OpenAPI builds without one).
func (s *server) webhook(name string, call func(Vendors, context.Context, core.Vendor) (wire.Webhook, error)) func(context.Context, *noInput) (*webhookOut, error) {
	return func(ctx context.Context, _ *noInput) (*webhookOut, error) {
		w, err := call(s.cfg.Vendors, ctx, vendorOf(ctx))
		if err != nil {
			return nil, s.fail(ctx, name, err)
		}
		return &webhookOut{w}, nil
	}
}

func (s *server) setWebhook(ctx context.Context, in *webhookInput) (*webhookOut, error) {
	if err := invalid(s.urlProblems("url", in.Body.URL, "where Switchboard posts your orders")); err != nil {
		return nil, s.fail(ctx, "set webhook", err)
	}
	w, err := s.cfg.Vendors.SetWebhook(ctx, vendorOf(ctx), in.Body.URL)
	if err != nil {
		return nil, s.fail(ctx, "set webhook", err)
	}
	return &webhookOut{w}, nil
}

// urlProblems applies result's URL rule (and ResultOptions.AllowHTTP) to a
// required URL; none when it passes.
func (s *server) urlProblems(field, url, what string) []result.FieldError {
	if url == "" {
		return []result.FieldError{{Field: field, Message: "is required: " + what}}
	}
	return result.CheckURL(field, url, s.cfg.ResultOptions)
}

func (s *server) setPackageSource(ctx context.Context, in *packageSourceInput) (*statusOutput, error) {
	src := in.Body
	errs := s.urlProblems("url", src.URL, "your package list endpoint")
	if msg := lineProblem(src.Key, maxKeyLength, "the key Switchboard sends your endpoint as the HTTP Basic user name"); msg != "" {
		errs = append(errs, result.FieldError{Field: "key", Message: msg})
	} else if strings.ContainsAny(src.Key, ": ") {
		errs = append(errs, result.FieldError{Field: "key", Message: "must not hold spaces or colons: it is sent as an HTTP Basic user name"})
	}
	if err := invalid(errs); err != nil {
		return nil, s.fail(ctx, "set package source", err)
	}
	if err := s.cfg.Vendors.SetPackageSource(ctx, vendorOf(ctx), src); err != nil {
		return nil, s.fail(ctx, "set package source", err)
	}
	return &statusOutput{s.status(http.StatusOK, "Package source set.", nil)}, nil
}

func (s *server) deletePackageSource(ctx context.Context, _ *noInput) (*statusOutput, error) {
	if err := s.cfg.Vendors.DeletePackageSource(ctx, vendorOf(ctx)); err != nil {
		return nil, s.fail(ctx, "delete package source", err)
	}
	return &statusOutput{s.status(http.StatusOK, "Package source removed.", nil)}, nil
}
