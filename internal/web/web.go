// Package web serves Switchboard's public HTML pages: the candidate's journey
// (invitation landing, questions, end page) and the read-only report page and
// PDF behind signed, expiring links. The signed-in admin pages, including the
// candidate detail page at /orders/{id} and the dev outbox, are package ui.
// Templates and assets are embedded in the binary; forms post and redirect.
package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"

	"switchboard/internal/assess"
	"switchboard/internal/core"
	"switchboard/internal/engine"
	"switchboard/internal/httpform"
	"switchboard/internal/service"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

type handler struct {
	svc *service.Service
	// eng is the built-in engine, whose candidate pages these are.
	eng   *engine.Engine
	log   *slog.Logger
	pages map[string]*template.Template
}

// Funcs are the template functions the candidate, report and admin pages
// share; the admin UI adds its own to a copy.
var Funcs = template.FuncMap{
	"add": func(a, b int) int { return a + b },
	"labelClass": func(l string) string {
		switch assess.Label(l) {
		case assess.GreatFit:
			return "label-great"
		case assess.GoodFit:
			return "label-good"
		}
		return "label-poor"
	},
}

// Register mounts the pages on mux: the built-in engine's candidate pages
// and the report pages.
func Register(mux *http.ServeMux, svc *service.Service, eng *engine.Engine, log *slog.Logger) error {
	pages, err := ParsePages(templateFS, Funcs)
	if err != nil {
		return err
	}
	h := &handler{svc: svc, eng: eng, log: log, pages: pages}
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))

	hsts := strings.HasPrefix(svc.BaseURL(), "https://")
	page := func(f http.HandlerFunc) http.Handler { return secure(f, hsts, pageCSP) }
	// Cross-origin form posts are refused, so another site cannot submit a
	// candidate's answers even if it learned their link.
	cop := http.NewCrossOriginProtection()
	post := func(f http.HandlerFunc) http.Handler {
		return secure(cop.Handler(httpform.Limit(httpform.Max, f)), hsts, pageCSP)
	}

	mux.Handle("GET /a/{token}", page(h.landing))
	mux.Handle("POST /a/{token}/start", post(h.start))
	mux.Handle("GET /a/{token}/q", page(h.questions))
	mux.Handle("POST /a/{token}/q", post(h.answer))
	mux.Handle("POST /a/{token}/finish", post(h.finish))
	mux.Handle("GET /a/{token}/done", page(h.done))
	mux.Handle("GET /r/{id}", page(h.reportPage))
	// A PDF runs none of our markup; a page policy would only risk the
	// browser's built-in viewer.
	mux.Handle("GET /r/{id}/report.pdf", secure(http.HandlerFunc(h.reportPDF), hsts, ""))
	// A vendor's file, as stored: never rendered here (sandboxed, sent as
	// a download), since its bytes are the vendor's.
	mux.Handle("GET /files/{id}", secure(http.HandlerFunc(h.file), hsts, "sandbox"))
	return nil
}

// pageCSP lets the pages run no script and load styles and images only from
// here (inline style attributes draw the progress bars), and be framed by
// no one. It sets no form-action: finishing sends the candidate on to the
// ATS's return URL, and browsers hold a form's redirect to form-action too.
const pageCSP = "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'"

// secure sets the headers of every candidate and report response. They are
// reached by bearer links, so nothing is cached, sniffed or framed, and no
// referrer carries the link on; with an https base URL browsers keep to
// https (HSTS). csp "" sends no Content-Security-Policy.
func secure(next http.Handler, hsts bool, csp string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Cache-Control", "no-store")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "no-referrer")
		if csp != "" {
			hd.Set("Content-Security-Policy", csp)
		}
		if hsts {
			hd.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// ParsePages parses each templates/<page>.html of fsys together with
// templates/layout.html, keyed by page name. Each page defines the blocks
// the layout leaves open.
func ParsePages(fsys fs.FS, funcs template.FuncMap) (map[string]*template.Template, error) {
	names, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	pages := map[string]*template.Template{}
	for _, name := range names {
		if name == "templates/layout.html" {
			continue
		}
		t, err := template.New("").Funcs(funcs).ParseFS(fsys, "templates/layout.html", name)
		if err != nil {
			return nil, fmt.Errorf("templates: parse %s: %w", name, err)
		}
		pages[strings.TrimSuffix(strings.TrimPrefix(name, "templates/"), ".html")] = t
	}
	return pages, nil
}

// render writes a page, buffering it so a template error becomes a clean 500.
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	t, ok := h.pages[page]
	if !ok {
		h.serverError(w, r, fmt.Errorf("web: no page %q", page))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		h.serverError(w, r, fmt.Errorf("web: render %s: %w", page, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

type message struct{ Title, Message, Hint string }

func (h *handler) message(w http.ResponseWriter, r *http.Request, status int, m message) {
	h.render(w, r, status, "message", m)
}

func (h *handler) serverError(w http.ResponseWriter, r *http.Request, err error) {
	h.log.ErrorContext(r.Context(), "page failed", "method", r.Method, "err", err)
	http.Error(w, "Something went wrong on our side. Please try again in a moment.", http.StatusInternalServerError)
}

func isNotFound(err error) bool { return errors.Is(err, core.ErrNotFound) }
