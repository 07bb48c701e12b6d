// Package examplevendor is an example assessment and background-check
// vendor for Switchboard, written only against Switchboard's vendor HTTP
// contract and the Standard Webhooks specification, with nothing but the
// standard library: what a real vendor's integration would be, small enough
// to read in one sitting.
//
// It receives signed order deliveries at POST /webhooks, answers inline
// orders with the URL of its candidate page, refuses with 422 what it cannot
// serve, and later PATCHes an in-progress update and then a result (score,
// summary, report URL, PDF attachment) to the order's results_update_url
// with its vendor key. It serves its own candidate page and reports, and
// answers Switchboard's package list callout at POST /packages. See
// README.md for how to run it against `switchboard serve`.
//
// Switchboard's demo and end-to-end tests run it in-process: New, then
// serve Handler on a loopback listener, then Received and Drain to see what
// it did.
package examplevendor

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Config is what a Vendor needs. Secrets and Key are required.
type Config struct {
	// Secrets are the endpoint's signing secrets ("whsec_…") as Switchboard
	// showed them; during a rotation give both, and a delivery signed with
	// either is accepted.
	Secrets []string
	// Key is the vendor API key ("svk_…") the vendor PATCHes results with.
	Key string
	// PackagesKey is the key Switchboard must present at POST /packages
	// (the one given to PUT /api/vendor/package_source); Key when empty.
	PackagesKey string
	// BaseURL is Switchboard's vendor API base, like
	// https://switchboard.example/api/vendor. When set, an order whose
	// results_update_url is not under it is refused, so the key is never
	// sent anywhere else.
	BaseURL string
	// PublicURL is where this vendor's pages and reports are served, like
	// https://vendor.example. When empty it is taken from each delivery's
	// Host header (http, or https on TLS), which suits a loopback listener.
	PublicURL string
	// AllowHTTP accepts http:// for BaseURL, PublicURL and
	// results_update_url; https is required otherwise.
	AllowHTTP bool
	// ResultDelay is how long after accepting an order the result is
	// posted. Manual posts no result until Complete is called.
	ResultDelay time.Duration
	Manual      bool

	// Now is the clock (time.Now when nil); Sleep waits d or until ctx ends
	// (a timer when nil). Tests inject both so nothing really waits.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// HTTPClient posts results (a client with a 30 s timeout when nil).
	HTTPClient *http.Client
	// Logger gets what happened and the bodies of Switchboard's errors
	// (slog.Default when nil).
	Logger *slog.Logger
}

// State is where an order is on the vendor's side.
type State string

const (
	StateRefused    State = "refused"     // answered 422
	StateAccepted   State = "accepted"    // answered 2xx, nothing posted yet
	StateInProgress State = "in_progress" // the in-progress update was posted
	StateCompleted  State = "completed"   // the result was posted and accepted
	StateCancelled  State = "cancelled"   // Switchboard cancelled it
	StateFailed     State = "failed"      // posting the result failed for good
)

// Order is an order as delivered (the JSON fields) and what the vendor did
// with it (the rest).
type Order struct {
	ID               string     `json:"id"`
	AccountID        string     `json:"account_id"`
	Kind             string     `json:"kind"`
	Status           string     `json:"status"`
	Mode             string     `json:"mode"`
	Provider         string     `json:"provider"`
	Package          Package    `json:"package"`
	Candidate        Candidate  `json:"candidate"`
	Application      Ref        `json:"application"`
	Job              Ref        `json:"job"`
	Requester        *Requester `json:"requester,omitempty"`
	ResultsUpdateURL string     `json:"results_update_url"`
	// TestURL is, once accepted, the candidate page the vendor answered
	// with (a delivery's own test_url is what Switchboard knew).
	TestURL string `json:"test_url,omitempty"`
	// ReturnURL is where the candidate goes when done (an inline order's
	// way back to the application), when the ATS gave one.
	ReturnURL string    `json:"return_url,omitempty"`
	CreatedAt time.Time `json:"created_at"`

	DeliveryID string       `json:"-"` // the webhook-id it came with
	State      State        `json:"-"`
	Refusal    string       `json:"-"` // the 422 message, when refused
	Posted     []ResultBody `json:"-"` // updates Switchboard accepted, in order
	Err        string       `json:"-"` // why the last update failed
	AcceptedAt time.Time    `json:"-"`

	result   *ResultBody   // the final result once computed; reports show it
	claimed  bool          // a goroutine is posting the final result
	baseLink string        // PublicURL, or what the delivery's Host gave
	started  chan struct{} // closed once the in-progress update was tried
}

// Email is the candidate's first email address, "" when none.
func (o Order) Email() string {
	for _, e := range o.Candidate.Emails {
		if v := strings.TrimSpace(e.Value); v != "" {
			return v
		}
	}
	return ""
}

// Name is the candidate's name as the pages show it.
func (o Order) Name() string {
	n := strings.TrimSpace(o.Candidate.FirstName + " " + o.Candidate.LastName)
	if n == "" {
		return "candidate " + o.Candidate.ID
	}
	return n
}

// answer is what a delivery was answered, kept per webhook-id so that a
// repeat gets the same answer and changes nothing.
type answer struct {
	status int
	body   any
}

// Vendor is the example vendor. Its methods are safe for concurrent use.
type Vendor struct {
	cfg    Config
	log    *slog.Logger
	now    func() time.Time
	sleep  func(context.Context, time.Duration) error
	client *http.Client
	base   string // BaseURL without a trailing slash
	pkgKey string
	ctx    context.Context // ends on Close; background work runs under it
	stop   context.CancelFunc

	mu       sync.Mutex
	keys     []secret
	answered map[string]answer // by webhook-id
	orders   map[string]*Order
	order    []string      // ids in arrival order
	busy     int           // background updates running
	idle     chan struct{} // closed while busy is 0
}

// New checks cfg and returns a Vendor ready to serve. Close it when done.
func New(cfg Config) (*Vendor, error) {
	if cfg.Key == "" {
		return nil, errors.New("examplevendor: the vendor API key is required")
	}
	for name, u := range map[string]string{"Switchboard URL": cfg.BaseURL, "public URL": cfg.PublicURL} {
		if u == "" {
			continue
		}
		if err := checkURL(u, cfg.AllowHTTP); err != nil {
			return nil, fmt.Errorf("examplevendor: %s: %w", name, err)
		}
	}
	v := &Vendor{
		cfg:      cfg,
		log:      cfg.Logger,
		now:      cfg.Now,
		sleep:    cfg.Sleep,
		client:   cfg.HTTPClient,
		base:     strings.TrimSuffix(cfg.BaseURL, "/"),
		pkgKey:   cfg.PackagesKey,
		answered: map[string]answer{},
		orders:   map[string]*Order{},
		idle:     make(chan struct{}),
	}
	close(v.idle)
	if v.log == nil {
		v.log = slog.Default()
	}
	if v.now == nil {
		v.now = time.Now
	}
	if v.sleep == nil {
		v.sleep = sleep
	}
	if v.client == nil {
		v.client = &http.Client{Timeout: 30 * time.Second}
	}
	if v.pkgKey == "" {
		v.pkgKey = cfg.Key
	}
	if err := v.SetSecrets(cfg.Secrets...); err != nil {
		return nil, err
	}
	v.ctx, v.stop = context.WithCancel(context.Background())
	return v, nil
}

// SetSecrets replaces the signing secrets, as after a rotation on
// Switchboard's side. It changes nothing when one does not parse.
func (v *Vendor) SetSecrets(secrets ...string) error {
	if len(secrets) == 0 {
		return errors.New("examplevendor: at least one signing secret (whsec_…) is required")
	}
	keys := make([]secret, len(secrets))
	for i, s := range secrets {
		k, err := parseSecret(s)
		if err != nil {
			return fmt.Errorf("examplevendor: secret %d: %w", i+1, err)
		}
		keys[i] = k
	}
	v.mu.Lock()
	v.keys = keys
	v.mu.Unlock()
	return nil
}

// Close stops background work (a pending result is not posted) and waits
// for it to end.
func (v *Vendor) Close() {
	v.stop()
	v.Drain(context.Background()) // cannot fail without a deadline
}

// Drain waits until no update is waiting to be posted, or ctx ends. With
// ResultDelay 0 (or an injected Sleep) it returns once every accepted
// order's result has been posted or has failed.
func (v *Vendor) Drain(ctx context.Context) error {
	v.mu.Lock()
	idle := v.idle
	v.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("examplevendor: waiting for pending results: %w", ctx.Err())
	}
}

// Received returns every order delivered so far, refused ones included, in
// arrival order.
func (v *Vendor) Received() []Order {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make([]Order, len(v.order))
	for i, id := range v.order {
		out[i] = *v.orders[id]
		out[i].Posted = slices.Clone(out[i].Posted)
	}
	return out
}

// Handler serves the vendor's endpoints:
//
//	POST /webhooks           order deliveries from Switchboard
//	POST /packages           Switchboard's package list callout
//	GET  /candidate/{order}  the candidate's test page
//	GET  /reports/{order}    the HTML report
//	GET  /reports/{order}.pdf the PDF report
func (v *Vendor) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /webhooks", v.serveWebhook)
	mux.HandleFunc("POST /packages", v.servePackages)
	mux.HandleFunc("GET /candidate/{order}", v.serveCandidate)
	mux.HandleFunc("GET /reports/{file}", v.serveReport)
	return mux
}

// maxBody bounds what the vendor reads of a request.
const maxBody = 1 << 20

// readSigned reads a request's body and checks its signature, answering
// the request itself when either fails.
func (v *Vendor) readSigned(w http.ResponseWriter, r *http.Request) (id string, body []byte, ok bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		if _, tooBig := errors.AsType[*http.MaxBytesError](err); tooBig {
			writeJSON(w, http.StatusRequestEntityTooLarge, message("body larger than 1 MiB"))
			return "", nil, false
		}
		writeJSON(w, http.StatusBadRequest, message("cannot read the body"))
		return "", nil, false
	}
	v.mu.Lock()
	keys := v.keys
	v.mu.Unlock()
	id, err = verify(r.Header, body, v.now(), keys)
	if err != nil {
		status, msg := verifyStatus(err)
		v.log.Warn("refused an unsigned or badly signed request", "path", r.URL.Path, "status", status, "err", err)
		writeJSON(w, status, message(msg))
		return "", nil, false
	}
	return id, body, true
}

func (v *Vendor) serveWebhook(w http.ResponseWriter, r *http.Request) {
	id, body, ok := v.readSigned(w, r)
	if !ok {
		return
	}
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		writeJSON(w, http.StatusBadRequest, message("body is not a delivery: "+err.Error()))
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if a, seen := v.answered[id]; seen {
		// A retry or replay: the same answer, nothing done again.
		a = repeated(a)
		writeJSON(w, a.status, a.body)
		return
	}
	var a answer
	switch env.Type {
	case eventAssessmentCreated, eventBackgroundCheckCreated:
		a = v.receive(id, env, publicBase(v.cfg.PublicURL, r))
	case eventAssessmentCancelled, eventBackgroundCheckCancelled:
		a = v.cancel(env.Data.ID)
	default:
		// Standard Webhooks receivers ignore event types they do not know,
		// so Switchboard can add some.
		v.log.Info("ignored a delivery of an unknown type", "type", env.Type, "webhook_id", id)
		a = answer{http.StatusOK, struct{}{}}
	}
	v.answered[id] = a
	writeJSON(w, a.status, a.body)
}

// receive decides on a new order; v.mu is held.
func (v *Vendor) receive(deliveryID string, env envelope, link string) answer {
	o := env.Data
	if o.ID == "" {
		return answer{http.StatusUnprocessableEntity, message("the order has no id")}
	}
	if prev, seen := v.orders[o.ID]; seen {
		// The same order again under another delivery id.
		return repeated(v.answerFor(prev))
	}
	o.DeliveryID, o.baseLink = deliveryID, link
	v.orders[o.ID] = &o
	v.order = append(v.order, o.ID)
	if msg := v.refusal(env.Type, o); msg != "" {
		o.State, o.Refusal, o.TestURL = StateRefused, msg, ""
		v.log.Info("refused an order", "order", o.ID, "reason", msg)
		return v.answerFor(&o)
	}
	o.State, o.AcceptedAt, o.started = StateAccepted, v.now(), make(chan struct{})
	o.TestURL = link + "/candidate/" + url.PathEscape(o.ID)
	v.log.Info("accepted an order", "order", o.ID, "package", o.Package.ID, "mode", o.Mode)
	v.goBusy(func() { v.work(o.ID) })
	return v.answerFor(&o)
}

// goBusy runs f in the background, counted for Drain; v.mu is held.
func (v *Vendor) goBusy(f func()) {
	if v.busy == 0 {
		v.idle = make(chan struct{})
	}
	v.busy++
	go func() {
		defer func() {
			v.mu.Lock()
			defer v.mu.Unlock()
			if v.busy--; v.busy == 0 {
				close(v.idle)
			}
		}()
		f()
	}()
}

// repeated is the answer to a delivery already acted on: a refusal stays
// one, an acceptance becomes a plain 200 with the same body.
func repeated(a answer) answer {
	if a.status < 300 {
		a.status = http.StatusOK
	}
	return a
}

// answerFor is the delivery answer for an order already decided on.
func (v *Vendor) answerFor(o *Order) answer {
	switch {
	case o.State == StateRefused:
		return answer{http.StatusUnprocessableEntity, message(o.Refusal)}
	case o.Mode == "inline":
		// Inline orders need the candidate URL in a 200, at once.
		return answer{http.StatusOK, map[string]string{"test_url": o.TestURL}}
	default:
		return answer{http.StatusAccepted, map[string]string{"test_url": o.TestURL}}
	}
}

// refusal says why the vendor cannot serve o, "" when it can.
func (v *Vendor) refusal(event string, o Order) string {
	p, ok := findPackage(o.Package.ID)
	switch {
	case !ok:
		return fmt.Sprintf("Acme does not offer package %q", o.Package.ID)
	case p.Type != o.Kind:
		return fmt.Sprintf("Acme package %q is %s, not %s", p.ID, kindWords(p.Type), kindWords(o.Kind))
	case event != o.Kind+".created":
		return fmt.Sprintf("a %s event cannot carry %s order", event, kindWords(o.Kind))
	case p.Type == KindBackgroundCheck && o.Email() == "":
		return "Acme needs the candidate's email address to run a background check"
	case o.AccountID == "":
		return "the order has no account_id"
	case o.ResultsUpdateURL == "":
		return "the order has no results_update_url to report to"
	}
	if err := checkURL(o.ResultsUpdateURL, v.cfg.AllowHTTP); err != nil {
		return "results_update_url: " + err.Error()
	}
	if v.base != "" && !strings.HasPrefix(o.ResultsUpdateURL, v.base+"/") {
		return "results_update_url is not at the Switchboard Acme is configured for"
	}
	return ""
}

// cancel stops an order's pending result; v.mu is held.
func (v *Vendor) cancel(orderID string) answer {
	if o, ok := v.orders[orderID]; ok && (o.State == StateAccepted || o.State == StateInProgress) {
		o.State = StateCancelled
		v.log.Info("order cancelled", "order", orderID)
	}
	return answer{http.StatusOK, struct{}{}}
}

func (v *Vendor) servePackages(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if !ok || pass != "" || subtle.ConstantTimeCompare([]byte(user), []byte(v.pkgKey)) != 1 {
		w.Header().Set("WWW-Authenticate", `Basic realm="acme packages"`)
		writeJSON(w, http.StatusUnauthorized, message("wrong or missing key"))
		return
	}
	_, body, ok := v.readSigned(w, r)
	if !ok {
		return
	}
	var req packageListRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeJSON(w, http.StatusBadRequest, message("body is not a package list request: "+err.Error()))
		return
	}
	writeJSON(w, http.StatusOK, map[string][]Package{"data": PackagesFor(req.JobID)})
}

// publicBase is where links to the vendor's own pages point.
func publicBase(configured string, r *http.Request) string {
	if configured != "" {
		return strings.TrimSuffix(configured, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// checkURL requires an absolute https URL (or http when allowed).
func checkURL(s string, allowHTTP bool) error {
	u, err := url.Parse(s)
	switch {
	case err != nil || u.Host == "":
		return fmt.Errorf("%q is not an absolute URL", s)
	case u.Scheme == "https", u.Scheme == "http" && allowHTTP:
		return nil
	default:
		return fmt.Errorf("%q must use https (http only with -allow-http)", s)
	}
}

func message(s string) map[string]string { return map[string]string{"message": s} }

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body) // the client hung up if this fails; nothing to do
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
