package srsim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"switchboard/internal/atssim/simkit"
	"time"

	sr "switchboard/internal/ats/smartrecruiters"
)

const (
	maxJSONBody = 1 << 20
	aPath       = sr.AssessmentAPIPath
)

// Handler serves the simulator: the token endpoint, the Assessment API, the
// customer API, attachment downloads and the browser pages (consent return,
// inline return).
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

type handlerFunc func(w http.ResponseWriter, r *http.Request, cred *credential)

type credKey struct{}

func (s *Server) routes() (public, api *http.ServeMux) {
	public = http.NewServeMux()
	public.HandleFunc("POST "+sr.TokenPath, s.issueToken)
	public.HandleFunc("GET /marketplace/companies/{companyId}/connected", s.connectReturn)
	public.HandleFunc("GET /oneclick-ui/company/{companyId}/job/{jobId}/assessment-return/{orderId}", s.inlineReturn)
	public.HandleFunc("GET /attachments/{id}", s.downloadAttachment)

	api = http.NewServeMux()
	route := func(pattern, scope string, h handlerFunc) {
		api.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			cred, _ := r.Context().Value(credKey{}).(*credential)
			if !slices.Contains(cred.scopes, scope) {
				writeError(w, http.StatusForbidden, "Request missed required scope "+scope)
				return
			}
			h(w, r, cred)
		})
	}
	route("GET "+aPath+"/partner/configuration", sr.ScopePartnerConfigurationManage, s.getConfiguration)
	route("PUT "+aPath+"/partner/configuration", sr.ScopePartnerConfigurationManage, s.putConfiguration)
	route("POST "+aPath+"/integration/company/{companyId}", sr.ScopePartnerConfigurationManage, s.setUpIntegration)
	route("PATCH "+aPath+"/orders/{orderId}/results", sr.ScopeAssessmentResultManage, s.patchResults)
	route("POST "+aPath+"/orders/{orderId}/results/attachment", sr.ScopeAssessmentResultManage, s.uploadAttachment)
	route("GET /jobs", sr.ScopeJobsRead, s.listJobs)
	route("GET /jobs/{id}", sr.ScopeJobsRead, s.getJob)
	route("GET /candidates", sr.ScopeCandidatesRead, s.listCandidates)
	route("GET /candidates/{id}", sr.ScopeCandidatesRead, s.getCandidate)
	route("PUT /candidates/{id}/jobs/{jobId}/properties", sr.ScopeCandidatesWrite, s.putProperties)
	routeAny := func(pattern string, scopes []string, h handlerFunc) {
		api.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			cred, _ := r.Context().Value(credKey{}).(*credential)
			if !slices.ContainsFunc(scopes, func(sc string) bool { return slices.Contains(cred.scopes, sc) }) {
				writeError(w, http.StatusForbidden, "Request missed required scope "+strings.Join(scopes, " or "))
				return
			}
			h(w, r, cred)
		})
	}
	s.reviewRoutes(routeAny)
	return public, api
}

// serveHTTP applies, in order: public routes; then bearer auth (401), the
// per-credential rate limits (429), injected failures, and routing (404/405
// with SmartRecruiters' error body).
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if _, pattern := s.public.Handler(r); pattern != "" {
		s.public.ServeHTTP(w, r)
		return
	}
	_, pattern := s.api.Handler(r)
	token, hasBearer := bearer(r)
	candidatesList := r.Method == http.MethodGet && strings.TrimSuffix(r.URL.Path, "/") == "/candidates"
	body := simkit.PeekBody(r, 64<<10)

	s.mu.Lock()
	cred, ok := s.authenticate(token, hasBearer)
	if key := r.Header.Get(sr.SmartTokenHeader); key != "" {
		cred, ok = s.authenticateKey(key)
	}
	if !ok {
		s.mu.Unlock()
		writeError(w, http.StatusUnauthorized, "Unauthorized request: missing, invalid or expired access token")
		return
	}
	id := cred.clientID
	s.arrivals.Add(id, s.now())
	if retry, limited := s.limit(w, id, candidatesList); limited {
		s.throttled++
		s.mu.Unlock()
		w.Header().Set("Retry-After", strconv.Itoa(retry))
		writeError(w, http.StatusTooManyRequests, "API rate limit exceeded")
		return
	}
	s.inFlight[id]++
	if candidatesList {
		s.candInFlight[id]++
	}
	injected, failed := s.faults.Take(r, body)
	if !failed && pattern != "" {
		s.counts[pattern]++
	}
	hold := s.hold
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inFlight[id]--
		if candidatesList {
			s.candInFlight[id]--
		}
		s.mu.Unlock()
	}()

	if hold != nil && !failed {
		select {
		case hold.entered <- pattern:
		default:
		}
		select {
		case <-hold.release:
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case failed:
		injected.Header(w.Header())
		writeError(w, injected.Status, "Simulated failure")
	case pattern == "":
		s.unrouted(w, r)
	default:
		s.api.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), credKey{}, cred)))
	}
}

func bearer(r *http.Request) (string, bool) {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return "", false
	}
	return strings.TrimSpace(tok), true
}

// authenticate resolves a bearer token. Caller holds s.mu.
func (s *Server) authenticate(token string, ok bool) (*credential, bool) {
	if !ok {
		return nil, false
	}
	it := s.tokens[token]
	if it == nil || !s.now().Before(it.expires) {
		return nil, false
	}
	cred := s.creds[it.clientID]
	if cred == nil || cred.revoked {
		return nil, false
	}
	return cred, true
}

// limit applies the credential's limits and sets the X-RateLimit-* headers;
// it reports the Retry-After seconds when the request must be refused.
// Caller holds s.mu.
func (s *Server) limit(w http.ResponseWriter, id string, candidatesList bool) (retryAfter int, limited bool) {
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(int(math.Ceil(s.rps))))
	h.Set("X-RateLimit-Concurrent-Limit", strconv.Itoa(s.concurrent))
	if s.inFlight[id] >= s.concurrent || (candidatesList && s.candInFlight[id] >= s.candidatesMax) {
		h.Set("X-RateLimit-Remaining", strconv.Itoa(s.buckets.Remaining(id)))
		h.Set("X-RateLimit-Concurrent-Remaining", "0")
		return 1, true
	}
	wait, ok := s.buckets.Take(id)
	h.Set("X-RateLimit-Remaining", strconv.Itoa(s.buckets.Remaining(id)))
	h.Set("X-RateLimit-Concurrent-Remaining", strconv.Itoa(s.concurrent-s.inFlight[id]-1))
	if !ok {
		return max(1, int(math.Ceil(wait.Seconds()))), true
	}
	return 0, false
}

// unrouted answers a request no route matched with the mux's status (404,
// or 405 with Allow) but SmartRecruiters' JSON error body.
func (s *Server) unrouted(w http.ResponseWriter, r *http.Request) {
	status, allow := simkit.Unrouted(s.api, r)
	if allow != "" {
		w.Header().Set("Allow", allow)
	}
	if status == http.StatusMethodNotAllowed {
		writeError(w, http.StatusMethodNotAllowed, "Method "+r.Method+" is not allowed on "+r.URL.Path)
		return
	}
	writeError(w, http.StatusNotFound, "No resource at "+r.URL.Path)
}

func errorCode(status int) string {
	switch status {
	case http.StatusBadRequest:
		return sr.CodeBadRequest
	case http.StatusUnauthorized:
		return sr.CodeUnauthorized
	case http.StatusForbidden:
		return sr.CodeForbidden
	case http.StatusNotFound:
		return sr.CodeNotFound
	case http.StatusConflict:
		return sr.CodeConflict
	case http.StatusMethodNotAllowed:
		return sr.CodeMethodNotAllowed
	case http.StatusRequestEntityTooLarge:
		return sr.CodeTooLarge
	case http.StatusUnsupportedMediaType:
		return sr.CodeUnsupportedMedia
	case http.StatusTooManyRequests:
		return sr.CodeTooManyRequests
	case http.StatusServiceUnavailable:
		return sr.CodeServiceUnavailable
	}
	if status >= 500 {
		return sr.CodeInternal
	}
	return sr.CodeBadRequest
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(sr.NewErrorResponse(sr.CodeInternal, "encode response: "+err.Error()))
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(b) // the client hung up; nothing to do
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, sr.NewErrorResponse(errorCode(status), msg))
}

// reply is a handler's answer, computed under s.mu and written after it.
type reply struct {
	status int
	body   any // nil: no body
}

func okReply(v any) reply { return reply{http.StatusOK, v} }

func fail(status int, format string, args ...any) reply {
	return reply{status, sr.NewErrorResponse(errorCode(status), fmt.Sprintf(format, args...))}
}

// locked runs fn under s.mu and writes its reply after unlocking.
func (s *Server) locked(w http.ResponseWriter, fn func() reply) {
	s.mu.Lock()
	rep := fn()
	s.mu.Unlock()
	if rep.body == nil {
		w.WriteHeader(rep.status)
		return
	}
	writeJSON(w, rep.status, rep.body)
}

// readJSON reads a JSON body of at most 1 MiB; on failure it writes 400 (413
// when too large, 415 for another media type) and returns nil.
func readJSON(w http.ResponseWriter, r *http.Request, mediaTypes ...string) []byte {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if len(mediaTypes) == 0 {
		mediaTypes = []string{"application/json"}
	}
	if !slices.Contains(mediaTypes, mt) {
		writeError(w, http.StatusUnsupportedMediaType, "Unsupported payload format "+strconv.Quote(mt))
		return nil
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeError(w, http.StatusRequestEntityTooLarge, "Body larger than 1 MiB")
			return nil
		}
		writeError(w, http.StatusBadRequest, "Could not read body")
		return nil
	}
	if !json.Valid(b) {
		writeError(w, http.StatusBadRequest, "Body is not valid JSON")
		return nil
	}
	return b
}

// issueToken is SmartRecruiters' /identity/oauth/token: client credentials
// in the form (or HTTP Basic), a bearer token back.
func (s *Server) issueToken(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, sr.TokenErrorResponse{Error: sr.TokenErrInvalidRequest, ErrorDescription: "form body expected"})
		return
	}
	basicID, basicSecret, _ := r.BasicAuth()
	in, err := sr.ParseTokenInput(r.PostForm, basicID, basicSecret)
	if err != nil {
		code := sr.TokenErrInvalidRequest
		if errors.Is(err, sr.ErrUnsupportedGrant) {
			code = sr.TokenErrUnsupportedGrantType
		}
		writeJSON(w, http.StatusBadRequest, sr.TokenErrorResponse{Error: code, ErrorDescription: err.Error()})
		return
	}
	s.mu.Lock()
	cred := s.creds[in.ClientID]
	if cred == nil || cred.revoked || cred.secret != in.ClientSecret {
		s.mu.Unlock()
		w.Header().Set("WWW-Authenticate", `Basic realm="smartrecruiters"`)
		writeJSON(w, http.StatusUnauthorized, sr.TokenErrorResponse{Error: sr.TokenErrInvalidClient, ErrorDescription: "Bad client credentials"})
		return
	}
	tok := randomSecret()
	s.tokens[tok] = &issuedToken{clientID: cred.clientID, expires: s.now().Add(s.tokenTTL)}
	s.issued[cred.clientID]++
	ttl := int64(s.tokenTTL / time.Second)
	s.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, sr.AccessToken{AccessToken: tok, TokenType: "Bearer", ExpiresIn: sr.Int(ttl)})
}

func (s *Server) getConfiguration(w http.ResponseWriter, r *http.Request, cred *credential) {
	s.locked(w, func() reply {
		if s.partner == nil || s.partner.clientID != cred.clientID || s.partner.config == nil {
			return fail(http.StatusNotFound, "Configuration does not exist")
		}
		return okReply(*s.partner.config)
	})
}

func (s *Server) putConfiguration(w http.ResponseWriter, r *http.Request, cred *credential) {
	b := readJSON(w, r)
	if b == nil {
		return
	}
	var req sr.PartnerConfigurationRequest
	if err := json.Unmarshal(b, &req); err != nil {
		writeError(w, http.StatusBadRequest, "Invalid configuration provided: "+err.Error())
		return
	}
	if err := req.Validate(); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	s.locked(w, func() reply {
		if s.partner == nil || s.partner.clientID != cred.clientID {
			return fail(http.StatusForbidden, "Credential is not a partner's")
		}
		cfg := sr.ConfigurationFromRequest(req)
		s.partner.config = &cfg
		return okReply(cfg)
	})
}

// setUpIntegration is the credential exchange: it stores the partner's
// credentials for the company and hands out customer-level ones.
func (s *Server) setUpIntegration(w http.ResponseWriter, r *http.Request, cred *credential) {
	b := readJSON(w, r)
	if b == nil {
		return
	}
	var in sr.ClientCredentials
	if err := json.Unmarshal(b, &in); err != nil || in.Validate() != nil {
		writeError(w, http.StatusBadRequest, "Invalid request body: clientId and clientSecret are required")
		return
	}
	companyID := r.PathValue("companyId")
	s.locked(w, func() reply {
		if s.partner == nil || s.partner.clientID != cred.clientID || s.partner.config == nil {
			return fail(http.StatusNotFound, "Partner configuration does not exist")
		}
		c := s.companies[companyID]
		if c == nil || !c.consented {
			return fail(http.StatusForbidden, "Company did not give consent for integration")
		}
		if c.partnerCreds != nil {
			return fail(http.StatusConflict, "Partner already integrated for company")
		}
		c.partnerCreds = &in
		c.partnerToken, c.partnerExp = "", time.Time{}
		out := sr.ClientCredentials{ClientID: "sr-" + strings.ReplaceAll(newID(), "-", "")[:20], ClientSecret: randomSecret()}
		s.creds[out.ClientID] = &credential{
			clientID: out.ClientID, secret: out.ClientSecret, companyID: c.id,
			scopes: []string{sr.ScopeAssessmentResultManage, sr.ScopeJobsRead, sr.ScopeCandidatesRead, sr.ScopeCandidatesWrite},
		}
		c.customerID = out.ClientID
		return okReply(out)
	})
}

// companyOrder finds an order visible to a customer credential: of the
// credential's company and not refused by the partner; an order whose
// placement call is still open is visible. Caller holds s.mu.
func (s *Server) companyOrder(cred *credential, id string) *order {
	o := s.orders[id]
	if o == nil || o.Refused || o.CompanyID != cred.companyID {
		return nil
	}
	return o
}

// patchResults merges a PackageResult patch (RFC 7396) into the order.
func (s *Server) patchResults(w http.ResponseWriter, r *http.Request, cred *credential) {
	id := r.PathValue("orderId")
	s.mu.Lock()
	found := s.companyOrder(cred, id) != nil
	s.mu.Unlock()
	if !found {
		writeError(w, http.StatusNotFound, "Order with given id does not exist")
		return
	}
	b := readJSON(w, r, "application/json", "application/merge-patch+json")
	if b == nil {
		return
	}
	var patch any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&patch); err != nil {
		writeError(w, http.StatusBadRequest, "Invalid result partial update provided")
		return
	}
	if _, isObj := patch.(map[string]any); !isObj {
		writeError(w, http.StatusBadRequest, "Invalid result partial update provided: not a JSON object")
		return
	}
	s.locked(w, func() reply {
		o := s.companyOrder(cred, id)
		if o == nil {
			return fail(http.StatusNotFound, "Order with given id does not exist")
		}
		merged, _ := mergePatch(deepCopy(o.state), patch).(map[string]any)
		res, err := validateResult(merged)
		if err != nil {
			return fail(http.StatusBadRequest, "Invalid result partial update provided: %v", err)
		}
		o.state = merged
		o.Patches++
		if res.Status != "" && (len(o.StatusHistory) == 0 || o.StatusHistory[len(o.StatusHistory)-1] != res.Status) {
			o.StatusHistory = append(o.StatusHistory, res.Status)
		}
		o.Result = res
		return okReply(res)
	})
}

// mergePatch applies an RFC 7396 merge patch to target.
func mergePatch(target, patch any) any {
	pm, isObj := patch.(map[string]any)
	if !isObj {
		return patch
	}
	tm, isObj := target.(map[string]any)
	if !isObj {
		tm = map[string]any{}
	}
	for k, v := range pm {
		if v == nil {
			delete(tm, k)
			continue
		}
		tm[k] = mergePatch(tm[k], v)
	}
	return tm
}

func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}

// validateResult checks a merged result as SmartRecruiters would: types,
// the status enum, every score with raw, min and max and raw within them.
func validateResult(m map[string]any) (sr.PackageResult, error) {
	if err := checkScore(m["score"], "score"); err != nil {
		return sr.PackageResult{}, err
	}
	if ars, isArr := m["assessmentResults"].([]any); isArr {
		for i, ar := range ars {
			arm, isObj := ar.(map[string]any)
			if !isObj {
				return sr.PackageResult{}, fmt.Errorf("assessmentResults[%d] is not an object", i)
			}
			if err := checkScore(arm["score"], fmt.Sprintf("assessmentResults[%d].score", i)); err != nil {
				return sr.PackageResult{}, err
			}
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return sr.PackageResult{}, err
	}
	var res sr.PackageResult
	if err := json.Unmarshal(b, &res); err != nil {
		return sr.PackageResult{}, err
	}
	if err := res.Validate(); err != nil {
		return sr.PackageResult{}, err
	}
	return res, nil
}

func checkScore(v any, name string) error {
	if v == nil {
		return nil
	}
	sm, isObj := v.(map[string]any)
	if !isObj {
		return fmt.Errorf("%s is not an object", name)
	}
	for _, k := range []string{"raw", "min", "max"} {
		if _, has := sm[k]; !has {
			return fmt.Errorf("%s.%s is required", name, k)
		}
	}
	return nil
}

// uploadAttachment stores a multipart file for an order's result.
func (s *Server) uploadAttachment(w http.ResponseWriter, r *http.Request, cred *credential) {
	id := r.PathValue("orderId")
	s.mu.Lock()
	o := s.companyOrder(cred, id)
	inline := o != nil && o.Kind == KindInline
	s.mu.Unlock()
	switch {
	case o == nil:
		writeError(w, http.StatusNotFound, "Order with given id does not exist")
		return
	case inline:
		writeError(w, http.StatusBadRequest, "Adding attachment to inline assessment orders is not supported")
		return
	}
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" || params["boundary"] == "" {
		writeError(w, http.StatusUnsupportedMediaType, "Unsupported payload format: multipart/form-data expected")
		return
	}
	mr := multipart.NewReader(http.MaxBytesReader(w, r.Body, sr.MaxAttachmentBytes+64<<10), params["boundary"])
	var att *StoredAttachment
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				writeError(w, http.StatusRequestEntityTooLarge, "Attachment too large")
				return
			}
			writeError(w, http.StatusBadRequest, "Malformed multipart body")
			return
		}
		name := p.FormName()
		if att != nil || (name != sr.AttachmentPart && name != sr.LegacyAttachmentPart) || p.FileName() == "" {
			_, _ = io.Copy(io.Discard, p)
			continue
		}
		data, err := io.ReadAll(io.LimitReader(p, sr.MaxAttachmentBytes+1))
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				writeError(w, http.StatusRequestEntityTooLarge, "Attachment too large")
				return
			}
			writeError(w, http.StatusBadRequest, "Malformed multipart body")
			return
		}
		if len(data) > sr.MaxAttachmentBytes {
			writeError(w, http.StatusRequestEntityTooLarge, "Attachment too large")
			return
		}
		att = &StoredAttachment{Part: name, FileName: p.FileName(), ContentType: p.Header.Get("Content-Type"), Data: data}
	}
	if att == nil {
		writeError(w, http.StatusBadRequest, `No file part named "file"`)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o = s.companyOrder(cred, id)
	if o == nil {
		writeError(w, http.StatusNotFound, "Order with given id does not exist")
		return
	}
	att.ID, att.OrderID = newID(), id
	att.URL = s.baseURL + "/attachments/" + att.ID
	s.attachments[att.ID] = att
	o.Attachments = append(o.Attachments, *att)
	writeJSON(w, http.StatusCreated, sr.AttachmentResult{URL: att.URL})
}

// downloadAttachment serves an uploaded file (the URL given back on upload).
func (s *Server) downloadAttachment(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	a := s.attachments[r.PathValue("id")]
	s.mu.Unlock()
	if a == nil {
		writeError(w, http.StatusNotFound, "No attachment with given id")
		return
	}
	ct := a.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.FileName}))
	_, _ = w.Write(a.Data)
}

// pageParams reads limit (1..100, default 10) and pageId.
func pageParams(r *http.Request) (limit int, pageID string, err error) {
	limit = 10
	if v := r.URL.Query().Get("limit"); v != "" {
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 1 || n > 100 {
			return 0, "", fmt.Errorf("limit must be 1..100, got %q", v)
		}
		limit = n
	}
	return limit, r.URL.Query().Get("pageId"), nil
}

// paginate cuts items after the one whose id is pageID; the next page id
// is the id of the last item returned.
func paginate[T any](items []T, id func(T) string, limit int, pageID string) (sr.Page[T], error) {
	start := 0
	if pageID != "" {
		i := slices.IndexFunc(items, func(t T) bool { return id(t) == pageID })
		if i < 0 {
			return sr.Page[T]{}, errors.New("unknown pageId")
		}
		start = i + 1
	}
	end := min(start+limit, len(items))
	p := sr.Page[T]{Limit: limit, Content: append([]T{}, items[start:end]...)}
	if end < len(items) {
		p.NextPageID = id(items[end-1])
	}
	return p, nil
}

func (s *Server) listJobs(w http.ResponseWriter, r *http.Request, cred *credential) {
	limit, pageID, err := pageParams(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	q := r.URL.Query()
	byID := q.Get("sort") == "job_id"
	if pageID != "" && !byID {
		writeJSON(w, http.StatusBadRequest, sr.NewErrorResponse(sr.CodeSortRequiredByPageID, "pageId requires sort=job_id"))
		return
	}
	if v := q.Get("sort"); v != "" && v != "default" && !byID {
		writeError(w, http.StatusBadRequest, "sort must be default or job_id, got "+strconv.Quote(v))
		return
	}
	statuses := append(q["statuses"], q["statuses[]"]...)
	for _, st := range statuses {
		if !slices.Contains(sr.JobStatuses, st) {
			writeError(w, http.StatusBadRequest, "Unknown job status "+strconv.Quote(st))
			return
		}
	}
	s.locked(w, func() reply {
		c := s.companies[cred.companyID]
		if c == nil {
			return fail(http.StatusForbidden, "Credential has no company")
		}
		jobs := make([]sr.Job, 0, len(c.jobs))
		for _, j := range c.jobs {
			if len(statuses) == 0 || slices.Contains(statuses, j.Status) {
				jobs = append(jobs, j.Job)
			}
		}
		if !byID {
			p, err := paginate(jobs, func(j sr.Job) string { return string(j.ID) }, limit, pageID)
			if err != nil {
				return fail(http.StatusBadRequest, "%v", err)
			}
			return okReply(p)
		}
		// Sorted by id, the cursor is the last id seen: a page holds the
		// jobs after it, whatever changed since.
		slices.SortFunc(jobs, func(a, b sr.Job) int { return strings.Compare(string(a.ID), string(b.ID)) })
		start, _ := slices.BinarySearchFunc(jobs, pageID, func(j sr.Job, id string) int { return strings.Compare(string(j.ID), id) })
		if pageID != "" && start < len(jobs) && string(jobs[start].ID) == pageID {
			start++
		}
		end := min(start+limit, len(jobs))
		p := sr.Page[sr.Job]{Limit: limit, Content: append([]sr.Job{}, jobs[start:end]...)}
		if end < len(jobs) {
			p.NextPageID = string(jobs[end-1].ID)
		}
		return okReply(p)
	})
}

func (s *Server) getJob(w http.ResponseWriter, r *http.Request, cred *credential) {
	s.locked(w, func() reply {
		c := s.companies[cred.companyID]
		if c == nil {
			return fail(http.StatusForbidden, "Credential has no company")
		}
		j := findJob(c, r.PathValue("id"))
		if j == nil {
			return fail(http.StatusNotFound, "Job not found")
		}
		return okReply(j.Job)
	})
}

func (s *Server) listCandidates(w http.ResponseWriter, r *http.Request, cred *credential) {
	limit, pageID, err := pageParams(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	after := 0
	if pageID != "" {
		n, err := strconv.ParseInt(pageID, 16, 64)
		if err != nil || n <= 0 {
			writeError(w, http.StatusBadRequest, "unknown pageId")
			return
		}
		after = int(n)
	}
	q := r.URL.Query()
	jobIDs := append(q["jobId"], q["jobId[]"]...)
	var updatedAfter time.Time
	if v := q.Get("updatedAfter"); v != "" {
		t, err := parseUpdatedAfter(v)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, sr.NewErrorResponse(sr.CodeInvalidUpdatedAfter, "updatedAfter must be yyyy-MM-ddTHH:mm:ss.SSSZZ, got "+strconv.Quote(v)))
			return
		}
		updatedAfter = t
	}
	s.locked(w, func() reply {
		c := s.companies[cred.companyID]
		if c == nil {
			return fail(http.StatusForbidden, "Credential has no company")
		}
		// The cursor is the creation sequence of the last candidate
		// returned, so a page starts after it even when candidates were
		// deleted or changed in between.
		start, _ := slices.BinarySearchFunc(c.candidates, after+1, func(cand *candidate, seq int) int { return cand.seq - seq })
		p := sr.Page[sr.Candidate]{Limit: limit, Content: []sr.Candidate{}}
		lastSeq := 0
		for _, cand := range c.candidates[start:] {
			// Only candidates with at least one (matching) application are listed.
			if len(cand.apps) == 0 {
				continue
			}
			if len(jobIDs) > 0 && !slices.ContainsFunc(cand.apps, func(a *application) bool { return slices.Contains(jobIDs, a.jobID) }) {
				continue
			}
			if !updatedAfter.IsZero() && !cand.UpdatedOn.After(updatedAfter) {
				continue
			}
			if len(p.Content) == limit {
				// One more matches: the page has a next one.
				p.NextPageID = listCursor(lastSeq)
				break
			}
			p.Content = append(p.Content, s.renderCandidate(c, cand))
			lastSeq = cand.seq
		}
		return okReply(p)
	})
}

func (s *Server) getCandidate(w http.ResponseWriter, r *http.Request, cred *credential) {
	s.locked(w, func() reply {
		c := s.companies[cred.companyID]
		if c == nil {
			return fail(http.StatusForbidden, "Credential has no company")
		}
		cand := findCandidate(c, r.PathValue("id"))
		if cand == nil {
			return fail(http.StatusNotFound, "Candidate not found")
		}
		return okReply(s.renderDetails(c, cand))
	})
}

// putProperties sets custom application fields, checking each against its
// definition: TEXT takes a string, SINGLE_SELECT one of its value ids, and
// no value resets the field.
func (s *Server) putProperties(w http.ResponseWriter, r *http.Request, cred *credential) {
	b := readJSON(w, r)
	if b == nil {
		return
	}
	var props []sr.PropertyValue
	if err := json.Unmarshal(b, &props); err != nil {
		writeError(w, http.StatusBadRequest, "Body must be an array of {id, value}")
		return
	}
	s.locked(w, func() reply {
		c := s.companies[cred.companyID]
		if c == nil {
			return fail(http.StatusForbidden, "Credential has no company")
		}
		cand := findCandidate(c, r.PathValue("id"))
		if cand == nil {
			return fail(http.StatusNotFound, "Candidate not found")
		}
		app := findApp(cand, r.PathValue("jobId"))
		if app == nil {
			return fail(http.StatusNotFound, "Candidate did not apply to job")
		}
		for _, p := range props {
			def := c.properties[p.ID]
			if def == nil {
				return fail(http.StatusBadRequest, "Unknown candidate property %q", p.ID)
			}
			if p.Value == nil {
				continue
			}
			v, isStr := p.Value.(string)
			if !isStr {
				return fail(http.StatusBadRequest, "Property %q (%s) needs a string value", p.ID, def.Type)
			}
			if def.Type == PropertySingleSelect && !slices.Contains(def.ValueIDs, v) {
				return fail(http.StatusBadRequest, "Property %q has no value id %q", p.ID, v)
			}
		}
		if app.properties == nil {
			app.properties = map[string]any{}
		}
		for _, p := range props {
			if p.Value == nil {
				delete(app.properties, p.ID)
				continue
			}
			app.properties[p.ID] = p.Value
		}
		return reply{status: http.StatusNoContent}
	})
}

// connectReturn is the redirect the consent page sends the admin back to.
func (s *Server) connectReturn(w http.ResponseWriter, r *http.Request) {
	err := s.CompleteConnect(r.PathValue("companyId"))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err != nil {
		w.WriteHeader(http.StatusConflict)
		fmt.Fprintf(w, "<!doctype html><title>Not connected</title><p>%s</p>\n", html.EscapeString(err.Error()))
		return
	}
	fmt.Fprint(w, "<!doctype html><title>Connected</title><p>The app is connected.</p>\n")
}

// inlineReturn is completedAssessmentCallbackUrl: the inline applicant comes
// back here after the assessment and their application is submitted.
func (s *Server) inlineReturn(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	o := s.orders[r.PathValue("orderId")]
	okReturn := o != nil && o.Kind == KindInline && o.CompanyID == r.PathValue("companyId") && o.JobID == r.PathValue("jobId")
	if okReturn {
		o.Returned = true
		if c := s.companies[o.CompanyID]; c != nil {
			if cand := findCandidate(c, o.CandidateID); cand != nil {
				if a := findApp(cand, o.JobID); a != nil {
					a.inline = false
				}
			}
		}
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if !okReturn {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, "<!doctype html><title>Not found</title><p>Unknown application.</p>\n")
		return
	}
	fmt.Fprint(w, "<!doctype html><title>Application submitted</title><p>Thank you, your application was submitted.</p>\n")
}
