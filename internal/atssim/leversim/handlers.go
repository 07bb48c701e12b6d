package leversim

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"switchboard/internal/atssim/simkit"

	"switchboard/internal/ats/lever"
)

const maxJSONBody = 1 << 20

// Handler serves Lever's API under /v1/... and file downloads under
// /files/{id}/download (the File.downloadUrl). URLs in responses are built
// from the request's host, so the handler works behind httptest or a demo
// listener alike.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

func (s *Server) routes() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("GET /v1/opportunities", s.listOpportunities)
	m.HandleFunc("POST /v1/opportunities", s.createOpportunityAPI) // create.go
	m.HandleFunc("GET /v1/opportunities/{id}", s.getOpportunity)
	m.HandleFunc("PUT /v1/opportunities/{id}/stage", s.updateStage)
	m.HandleFunc("POST /v1/opportunities/{id}/addTags", s.editList("tags", true))
	m.HandleFunc("POST /v1/opportunities/{id}/removeTags", s.editList("tags", false))
	m.HandleFunc("POST /v1/opportunities/{id}/addLinks", s.editList("links", true))
	m.HandleFunc("POST /v1/opportunities/{id}/removeLinks", s.editList("links", false))
	m.HandleFunc("GET /v1/opportunities/{id}/notes", s.listNotes)
	m.HandleFunc("POST /v1/opportunities/{id}/notes", s.createNote)
	m.HandleFunc("GET /v1/opportunities/{id}/files", s.listFiles)
	m.HandleFunc("GET /v1/opportunities/{id}/resumes", s.listResumes) // source.go
	m.HandleFunc("POST /v1/opportunities/{id}/files", s.uploadFile)
	m.HandleFunc("GET /v1/stages", s.listStages)
	m.HandleFunc("GET /v1/stages/{id}", s.getStage)
	m.HandleFunc("GET /v1/users", s.listUsers)
	m.HandleFunc("GET /v1/users/{id}", s.getUser)
	m.HandleFunc("GET /v1/postings", s.listPostings)
	m.HandleFunc("GET /v1/postings/{id}", s.getPosting)
	m.HandleFunc("GET /v1/tags", s.listTags)
	m.HandleFunc("GET /files/{id}/download", s.downloadFile)
	return m
}

// serveHTTP applies, in Lever's order as far as it is known: auth, the rate
// limit, injected failures, then routing (404/405 with Lever's error body).
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	key, password, ok := r.BasicAuth()
	_, pattern := s.mux.Handler(r)
	body := simkit.PeekBody(r, 64<<10)

	s.mu.Lock()
	if !ok || password != "" || !s.keys[key] {
		s.mu.Unlock()
		writeError(w, http.StatusUnauthorized, "Unauthorized: use Basic auth with a valid API key as the username and a blank password")
		return
	}
	s.arrivals.Add(key, s.now())
	if _, ok := s.buckets.Take(key); !ok {
		s.throttled++
		s.mu.Unlock()
		// No Retry-After: whether Lever sends one is unverified, so clients
		// must cope without it.
		writeError(w, http.StatusTooManyRequests, "Rate limit exceeded")
		return
	}
	injected, failed := s.faults.Take(r, body)
	lose := false
	if !failed && pattern != "" {
		s.counts[pattern]++
		lose = s.takeLost(pattern)
	}
	s.mu.Unlock()

	switch {
	case failed:
		injected.Header(w.Header())
		writeError(w, injected.Status, "Simulated failure")
	case pattern == "":
		s.unrouted(w, r)
	case lose:
		// The write takes effect; its answer is replaced by a failure.
		s.mux.ServeHTTP(&discardWriter{h: http.Header{}}, r)
		writeError(w, http.StatusInternalServerError, "Simulated failure after the request took effect")
	default:
		s.mux.ServeHTTP(w, r)
	}
}

// discardWriter swallows a handler's answer (LoseReplies).
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}

// unrouted answers a request no route matched with the mux's status (404,
// or 405 with Allow) but Lever's JSON body instead of the mux's plain text.
func (s *Server) unrouted(w http.ResponseWriter, r *http.Request) {
	status, allow := simkit.Unrouted(s.mux, r)
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
		return lever.CodeBadRequest
	case http.StatusUnauthorized:
		return lever.CodeUnauthorized
	case http.StatusForbidden:
		return lever.CodeForbidden
	case http.StatusNotFound:
		return lever.CodeNotFound
	case http.StatusMethodNotAllowed:
		return lever.CodeMethodNotAllowed
	case http.StatusRequestEntityTooLarge:
		return lever.CodeTooLarge
	case http.StatusTooManyRequests:
		return lever.CodeTooManyRequests
	case http.StatusServiceUnavailable:
		return lever.CodeUnavailable
	}
	if status >= 500 {
		return lever.CodeInternal
	}
	return lever.CodeBadRequest
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(lever.ErrorBody{Code: lever.CodeInternal, Message: "encode response: " + err.Error()})
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b) // the client hung up; nothing to do
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, lever.ErrorBody{Code: errorCode(status), Message: msg})
}

// reply is a handler's answer, computed under s.mu and written after it.
type reply struct {
	status int
	body   any
}

func ok(v any) reply { return reply{http.StatusOK, v} }

func fail(status int, format string, args ...any) reply {
	return reply{status, lever.ErrorBody{Code: errorCode(status), Message: fmt.Sprintf(format, args...)}}
}

// locked runs fn under s.mu and writes its reply after unlocking, so a slow
// client never holds the lock.
func (s *Server) locked(w http.ResponseWriter, fn func() reply) {
	s.mu.Lock()
	rep := fn()
	s.mu.Unlock()
	writeJSON(w, rep.status, rep.body)
}

// decodeJSON reads a JSON body of at most 1 MiB into v; on failure it writes
// 400 (413 when too large) and returns false.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxJSONBody))
	err := dec.Decode(v)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			err = errors.New("unexpected data after the JSON value")
		}
	}
	if err == nil {
		return true
	}
	if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
		writeError(w, http.StatusRequestEntityTooLarge, "Request body is larger than 1 MiB")
		return false
	}
	writeError(w, http.StatusBadRequest, "Malformed JSON body: "+err.Error())
	return false
}

// checkPerformAs validates ?perform_as= against the users. Caller holds s.mu.
func (s *Server) checkPerformAs(r *http.Request) (string, *reply) {
	id := r.URL.Query().Get("perform_as")
	if id != "" && s.user(id) == nil {
		rep := fail(http.StatusBadRequest, "perform_as: user %q does not exist", id)
		return "", &rep
	}
	return id, nil
}

// --- pagination ---

const offsetPrefix = "leversim:"

// encodeOffset makes an opaque token; clients must echo it, not compute it.
func encodeOffset(n int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(offsetPrefix + strconv.Itoa(n)))
}

func decodeOffset(tok string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, false
	}
	rest, found := strings.CutPrefix(string(b), offsetPrefix)
	if !found {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil && n >= 0
}

// page cuts one page out of items per ?limit= (1..100, default 100) and ?offset=.
func page[T any](q url.Values, items []T) reply {
	start, end, rep := pageBounds(q, len(items))
	if rep != nil {
		return *rep
	}
	return ok(listPage(clone(items[start:end]), end, len(items)))
}

// listPage is the envelope of items, one page ending at end of n.
func listPage[T any](items []T, end, n int) lever.ListResponse[T] {
	resp := lever.ListResponse[T]{Data: items}
	if end < n {
		resp.HasNext, resp.Next = true, encodeOffset(end)
	}
	return resp
}

// pageBounds reads ?limit= (1..100, default 100) and ?offset= into the
// bounds of one page of n items, or the 400 that refuses them.
func pageBounds(q url.Values, n int) (start, end int, _ *reply) {
	limit := 100
	if v := q.Get("limit"); v != "" {
		l, err := strconv.Atoi(v)
		if err != nil || l < 1 || l > 100 {
			rep := fail(http.StatusBadRequest, "limit must be an integer from 1 to 100, got %q", v)
			return 0, 0, &rep
		}
		limit = l
	}
	if v := q.Get("offset"); v != "" {
		o, valid := decodeOffset(v)
		if !valid || o > n {
			rep := fail(http.StatusBadRequest, "offset %q is not a token from a previous page", v)
			return 0, 0, &rep
		}
		start = o
	}
	return start, min(start+limit, n), nil
}

// expandSet reads ?expand=a&expand=b (Lever's form), also tolerating "a,b".
func expandSet(q url.Values) map[string]bool {
	set := map[string]bool{}
	for _, v := range q["expand"] {
		for part := range strings.SplitSeq(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				set[part] = true
			}
		}
	}
	return set
}

// --- opportunities ---

// listOpportunities filters by tag, stage_id, posting_id, email, contact_id
// (each repeatable, values ORed; different filters ANDed — inferred),
// archived=true|false and updated_at_start/updated_at_end (epoch ms,
// inclusive — inferred). Only the page asked for is rendered, so paging
// through 10k opportunities stays fast.
func (s *Server) listOpportunities(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	updated, bad := updatedRange(q)
	if bad != nil {
		writeJSON(w, bad.status, bad.body)
		return
	}
	var archived *bool
	if v := q.Get("archived"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			writeError(w, http.StatusBadRequest, "archived must be true or false")
			return
		}
		archived = &b
	}
	exp := expandSet(q)
	s.locked(w, func() reply {
		var hits []*opportunity
		for _, o := range s.opps {
			if matches(o, q, archived) && updated.has(o.opp.UpdatedAt) {
				hits = append(hits, o)
			}
		}
		start, end, bad := pageBounds(q, len(hits))
		if bad != nil {
			return *bad
		}
		items := make([]lever.Opportunity, 0, end-start)
		for _, o := range hits[start:end] {
			items = append(items, s.render(o, exp))
		}
		return ok(listPage(items, end, len(hits)))
	})
}

func matches(o *opportunity, q url.Values, archived *bool) bool {
	anyOf := func(want []string, have ...string) bool {
		if len(want) == 0 {
			return true
		}
		for _, h := range have {
			if slices.Contains(want, h) {
				return true
			}
		}
		return false
	}
	var postings []string
	for _, a := range o.apps {
		postings = append(postings, a.Posting)
	}
	emailOK := len(q["email"]) == 0
	for _, want := range q["email"] {
		for _, have := range o.opp.Emails {
			emailOK = emailOK || strings.EqualFold(want, have)
		}
	}
	return anyOf(q["tag"], o.opp.Tags...) &&
		anyOf(q["stage_id"], o.opp.Stage.ID) &&
		anyOf(q["posting_id"], postings...) &&
		anyOf(q["contact_id"], o.opp.Contact) &&
		emailOK &&
		(archived == nil || *archived == o.opp.IsArchived())
}

func (s *Server) getOpportunity(w http.ResponseWriter, r *http.Request) {
	exp := expandSet(r.URL.Query())
	s.locked(w, func() reply {
		o := s.oppByID[r.PathValue("id")]
		if o == nil {
			return fail(http.StatusNotFound, "Opportunity %q not found", r.PathValue("id"))
		}
		return ok(lever.Envelope[lever.Opportunity]{Data: s.render(o, exp)})
	})
}

func (s *Server) updateStage(w http.ResponseWriter, r *http.Request) {
	var body lever.StageRequest
	if !decodeJSON(w, r, &body) {
		return
	}
	if body.Stage == "" {
		writeError(w, http.StatusBadRequest, "stage is required")
		return
	}
	var send []pending
	defer func() {
		// Lever fires the webhook as a side effect of the move. Delivered
		// after the reply is computed and the lock released; not tied to
		// the API caller's context.
		s.deliverAll(context.WithoutCancel(r.Context()), send)
	}()
	s.locked(w, func() reply {
		o := s.oppByID[r.PathValue("id")]
		if o == nil {
			return fail(http.StatusNotFound, "Opportunity %q not found", r.PathValue("id"))
		}
		user, bad := s.checkPerformAs(r)
		if bad != nil {
			return *bad
		}
		if s.stageIndex(body.Stage) < 0 {
			return fail(http.StatusBadRequest, "stage %q does not exist", body.Stage)
		}
		send = s.moveStage(o, body.Stage, user)
		return ok(lever.Envelope[lever.Opportunity]{Data: s.render(o, nil)})
	})
}

// editList serves addTags/removeTags/addLinks/removeLinks. Both are sets:
// adding a present value or removing an absent one is a no-op.
func (s *Server) editList(field string, add bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var values []string
		var decoded bool
		if field == "tags" {
			var b lever.TagsRequest
			decoded, values = decodeJSON(w, r, &b), b.Tags
		} else {
			var b lever.LinksRequest
			decoded, values = decodeJSON(w, r, &b), b.Links
		}
		if !decoded {
			return
		}
		if values == nil {
			writeError(w, http.StatusBadRequest, field+" is required: an array of strings")
			return
		}
		s.locked(w, func() reply {
			o := s.oppByID[r.PathValue("id")]
			if o == nil {
				return fail(http.StatusNotFound, "Opportunity %q not found", r.PathValue("id"))
			}
			if _, bad := s.checkPerformAs(r); bad != nil {
				return *bad
			}
			target := &o.opp.Tags
			if field == "links" {
				target = &o.opp.Links
			}
			for _, v := range values {
				v = strings.TrimSpace(v)
				i := slices.Index(*target, v)
				switch {
				case v == "":
				case add && i < 0:
					*target = append(*target, v)
				case !add && i >= 0:
					*target = slices.Delete(*target, i, i+1)
				}
			}
			o.opp.UpdatedAt = s.nowMillis()
			return ok(lever.Envelope[lever.Opportunity]{Data: s.render(o, nil)})
		})
	}
}

// --- notes ---

func (s *Server) listNotes(w http.ResponseWriter, r *http.Request) {
	s.locked(w, func() reply {
		o := s.oppByID[r.PathValue("id")]
		if o == nil {
			return fail(http.StatusNotFound, "Opportunity %q not found", r.PathValue("id"))
		}
		notes := make([]lever.Note, len(o.notes))
		for i, n := range o.notes {
			notes[i] = cloneNote(n)
		}
		return page(r.URL.Query(), notes)
	})
}

// createNote adds a note, or with ?note_id= a comment on an existing note.
func (s *Server) createNote(w http.ResponseWriter, r *http.Request) {
	var body lever.NoteRequest
	if !decodeJSON(w, r, &body) {
		return
	}
	if strings.TrimSpace(body.Value) == "" {
		writeError(w, http.StatusBadRequest, "value is required")
		return
	}
	if body.Score != nil && (*body.Score < 1 || *body.Score > 4) {
		writeError(w, http.StatusBadRequest, "score must be an integer from 1 to 4")
		return
	}
	s.locked(w, func() reply {
		o := s.oppByID[r.PathValue("id")]
		if o == nil {
			return fail(http.StatusNotFound, "Opportunity %q not found", r.PathValue("id"))
		}
		user, bad := s.checkPerformAs(r)
		if bad != nil {
			return *bad
		}
		now := s.nowMillis()
		createdAt := cmp.Or(body.CreatedAt, now)
		field := lever.NoteField{Type: "note", Text: "Note", Value: body.Value, CreatedAt: createdAt, User: user, Score: body.Score, Stage: o.opp.Stage.ID}
		id := r.URL.Query().Get("note_id")
		if id != "" {
			i := slices.IndexFunc(o.notes, func(n lever.Note) bool { return n.ID == id })
			if i < 0 {
				return fail(http.StatusNotFound, "Note %q not found", id)
			}
			field.Text = "Comment"
			o.notes[i].Fields = append(o.notes[i].Fields, field)
		} else {
			id = newID()
			o.notes = append(o.notes, lever.Note{ID: id, Fields: []lever.NoteField{field}, User: user, Secret: body.Secret, CreatedAt: createdAt})
		}
		o.opp.LastInteractionAt, o.opp.UpdatedAt = now, now
		return ok(lever.Envelope[lever.NoteCreated]{Data: lever.NoteCreated{NoteID: id}})
	})
}

// --- files ---

func (s *Server) listFiles(w http.ResponseWriter, r *http.Request) {
	s.locked(w, func() reply {
		o := s.oppByID[r.PathValue("id")]
		if o == nil {
			return fail(http.StatusNotFound, "Opportunity %q not found", r.PathValue("id"))
		}
		files := make([]lever.File, len(o.files))
		for i, f := range o.files {
			files[i] = f.File
		}
		return page(r.URL.Query(), files)
	})
}

// uploadFile takes multipart/form-data with a binary part named "file" of
// 1 byte to 30 MB (413 above).
func (s *Server) uploadFile(w http.ResponseWriter, r *http.Request) {
	name, contentType, data, rep := readFilePart(w, r)
	if rep != nil {
		writeJSON(w, rep.status, rep.body)
		return
	}
	base := baseURL(r)
	s.locked(w, func() reply {
		o := s.oppByID[r.PathValue("id")]
		if o == nil {
			return fail(http.StatusNotFound, "Opportunity %q not found", r.PathValue("id"))
		}
		user, bad := s.checkPerformAs(r)
		if bad != nil {
			return *bad
		}
		id := newID()
		f := &StoredFile{
			File: lever.File{
				ID: id, DownloadURL: base + "/files/" + id + "/download",
				Ext: strings.TrimPrefix(path.Ext(name), "."), Name: name,
				UploadedAt: s.nowMillis(), Status: "processed", Size: int64(len(data)),
			},
			OpportunityID: o.opp.ID, ContentType: contentType, UploadedBy: user, Data: data,
		}
		o.files = append(o.files, f)
		s.fileByID[id] = f
		o.opp.UpdatedAt = f.UploadedAt
		return ok(lever.Envelope[lever.File]{Data: f.File})
	})
}

func readFilePart(w http.ResponseWriter, r *http.Request) (name, contentType string, data []byte, rep *reply) {
	bad := func(status int, format string, args ...any) (string, string, []byte, *reply) {
		f := fail(status, format, args...)
		return "", "", nil, &f
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return bad(http.StatusBadRequest, "Content-Type must be multipart/form-data")
	}
	r.Body = http.MaxBytesReader(w, r.Body, lever.MaxFileBytes+1<<20) // file plus multipart overhead
	mr, err := r.MultipartReader()
	if err != nil {
		return bad(http.StatusBadRequest, "Malformed multipart body: %v", err)
	}
	tooLarge := func(err error) bool {
		var mbe *http.MaxBytesError
		return errors.As(err, &mbe)
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			if tooLarge(err) {
				return bad(http.StatusRequestEntityTooLarge, "File is larger than 30 MB")
			}
			return bad(http.StatusBadRequest, "Malformed multipart body: %v", err)
		}
		if part.FormName() != "file" || data != nil {
			_, _ = io.Copy(io.Discard, part) // other fields are ignored
			continue
		}
		if part.FileName() == "" {
			return bad(http.StatusBadRequest, "the file part must carry a filename")
		}
		b, err := io.ReadAll(io.LimitReader(part, lever.MaxFileBytes+1))
		if err != nil {
			if tooLarge(err) {
				return bad(http.StatusRequestEntityTooLarge, "File is larger than 30 MB")
			}
			return bad(http.StatusBadRequest, "Malformed multipart body: %v", err)
		}
		if len(b) > lever.MaxFileBytes {
			return bad(http.StatusRequestEntityTooLarge, "File is larger than 30 MB")
		}
		name, contentType, data = part.FileName(), part.Header.Get("Content-Type"), b
	}
	if data == nil {
		return bad(http.StatusBadRequest, "file is required: a multipart part named \"file\"")
	}
	if len(data) == 0 {
		return bad(http.StatusBadRequest, "file is empty")
	}
	return name, cmp.Or(contentType, "application/octet-stream"), data, nil
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) downloadFile(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	f := s.fileByID[r.PathValue("id")]
	s.mu.Unlock()
	if f == nil {
		writeError(w, http.StatusNotFound, "File not found")
		return
	}
	// f's fields never change after upload, so reading them unlocked is safe.
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	w.Header().Set("Content-Length", strconv.Itoa(len(f.Data)))
	_, _ = w.Write(f.Data)
}

// --- stages, users, postings, tags ---

func (s *Server) listStages(w http.ResponseWriter, r *http.Request) {
	s.locked(w, func() reply { return page(r.URL.Query(), s.stages) })
}

func (s *Server) getStage(w http.ResponseWriter, r *http.Request) {
	s.locked(w, func() reply {
		if i := s.stageIndex(r.PathValue("id")); i >= 0 {
			return ok(lever.Envelope[lever.Stage]{Data: s.stages[i]})
		}
		return fail(http.StatusNotFound, "Stage %q not found", r.PathValue("id"))
	})
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	s.locked(w, func() reply { return page(r.URL.Query(), s.users) })
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	s.locked(w, func() reply {
		if u := s.user(r.PathValue("id")); u != nil {
			return ok(lever.Envelope[lever.User]{Data: *u})
		}
		return fail(http.StatusNotFound, "User %q not found", r.PathValue("id"))
	})
}

// listPostings filters by ?state= (repeatable, ORed; an unknown state is
// refused) and expands owner and hiringManager on request (source.go).
func (s *Server) listPostings(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	states, bad := postingStates(q)
	if bad != nil {
		writeJSON(w, bad.status, bad.body)
		return
	}
	exp := expandSet(q)
	s.locked(w, func() reply {
		var ps []lever.Posting
		for _, p := range s.postings {
			if len(states) == 0 || slices.Contains(states, p.State) {
				ps = append(ps, s.renderPosting(p, exp))
			}
		}
		return page(q, ps)
	})
}

func (s *Server) getPosting(w http.ResponseWriter, r *http.Request) {
	exp := expandSet(r.URL.Query())
	s.locked(w, func() reply {
		if p := s.posting(r.PathValue("id")); p != nil {
			return ok(lever.Envelope[lever.Posting]{Data: s.renderPosting(*p, exp)})
		}
		return fail(http.StatusNotFound, "Posting %q not found", r.PathValue("id"))
	})
}

// listTags lists the tags in use on opportunities with their counts.
func (s *Server) listTags(w http.ResponseWriter, r *http.Request) {
	s.locked(w, func() reply {
		var tags []lever.Tag
		index := map[string]int{}
		for _, o := range s.opps {
			for _, t := range o.opp.Tags {
				i, seen := index[t]
				if !seen {
					i = len(tags)
					index[t] = i
					tags = append(tags, lever.Tag{Text: t})
				}
				tags[i].Count++
			}
		}
		return page(r.URL.Query(), tags)
	})
}
