// Package openapicheck checks HTTP requests and responses against an
// OpenAPI 3.1 document, for tests that hold an API to its contract.
package openapicheck

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	verrors "github.com/pb33f/libopenapi-validator/errors"
)

// Validator checks requests and responses against one document.
type Validator struct {
	mu sync.Mutex // the validator's caches are not documented as safe for concurrent use
	v  validator.Validator
}

// New loads an OpenAPI document; it fails when the document is not a valid
// OpenAPI 3.1 document.
func New(document []byte) (*Validator, error) {
	doc, err := libopenapi.NewDocument(document)
	if err != nil {
		return nil, fmt.Errorf("openapicheck: load the OpenAPI document: %w", err)
	}
	if v := doc.GetVersion(); !strings.HasPrefix(v, "3.1") {
		return nil, fmt.Errorf("openapicheck: the document is OpenAPI %s, want 3.1", v)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		return nil, fmt.Errorf("openapicheck: build the validator: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		return nil, fmt.Errorf("openapicheck: the document is not valid OpenAPI: %s", describe(verrs))
	}
	return &Validator{v: v}, nil
}

// Request reports how r (whose body is left unread) differs from the document.
func (v *Validator) Request(r *http.Request) error {
	r, err := withBody(r)
	if err != nil {
		return err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if ok, errs := v.v.ValidateHttpRequestSync(r); !ok {
		return fmt.Errorf("%s %s is not in the document: %s", r.Method, r.URL.Path, describe(errs))
	}
	return nil
}

// Response reports how resp, the answer to r, differs from the document;
// both bodies are left unread.
func (v *Validator) Response(r *http.Request, resp *http.Response) error {
	r, err := withBody(r)
	if err != nil {
		return err
	}
	body, err := readBack(&resp.Body)
	if err != nil {
		return fmt.Errorf("openapicheck: read the response: %w", err)
	}
	check := *resp
	check.Body = io.NopCloser(bytes.NewReader(body))
	v.mu.Lock()
	defer v.mu.Unlock()
	if ok, errs := v.v.ValidateHttpResponse(r, &check); !ok {
		return fmt.Errorf("the answer %d to %s %s is not in the document: %s: %s",
			resp.StatusCode, r.Method, r.URL.Path, describe(errs), truncate(body))
	}
	return nil
}

// withBody returns a copy of r whose body can be read, leaving r's as it was.
func withBody(r *http.Request) (*http.Request, error) {
	c := r.Clone(r.Context())
	if r.Body == nil || r.Body == http.NoBody {
		return c, nil
	}
	body, err := readBack(&r.Body)
	if err != nil {
		return nil, fmt.Errorf("openapicheck: read the request: %w", err)
	}
	c.Body = io.NopCloser(bytes.NewReader(body))
	return c, nil
}

// readBack reads and closes *body and puts back a body of what was read,
// so its owner still finds it unread.
func readBack(body *io.ReadCloser) ([]byte, error) {
	b, err := io.ReadAll(*body)
	(*body).Close()
	*body = io.NopCloser(bytes.NewReader(b))
	return b, err
}

func describe(errs []*verrors.ValidationError) string {
	parts := make([]string, 0, len(errs))
	for _, e := range errs {
		s := e.Message
		if e.Reason != "" {
			s += " (" + e.Reason + ")"
		}
		for _, f := range e.SchemaValidationErrors {
			s += fmt.Sprintf("; %s: %s", f.FieldPath, f.Reason)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " | ")
}

func truncate(b []byte) string {
	if len(b) > 500 {
		return string(b[:500]) + "…"
	}
	return string(b)
}
