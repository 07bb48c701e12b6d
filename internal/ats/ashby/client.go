package ashby

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"switchboard/internal/ats/atshttp"
)

// Client calls Ashby's API with one customer's API key (HTTP Basic, the key
// as the user name, an empty password: verified), through atshttp.Client.
type Client struct {
	c *atshttp.Client
}

// ClientOptions configure a Client beyond its base URL and key.
type ClientOptions struct {
	HTTP  *http.Client
	Sleep func(ctx context.Context, d time.Duration) error
	Now   func() time.Time
}

// NewClient returns a client of Ashby's API at baseURL acting with apiKey.
func NewClient(baseURL, apiKey string, o ClientOptions) *Client {
	return &Client{c: &atshttp.Client{
		BaseURL: baseURL, HTTP: o.HTTP, Auth: atshttp.Basic(apiKey, ""),
		DecodeError: decodeError, UserAgent: "switchboard-ashby/1",
		Sleep: o.Sleep, Now: o.Now,
	}}
}

// decodeError reads the errorInfo of a non-2xx answer (Ashby's 401, 403,
// 429 carry one).
func decodeError(body []byte) (code, message string, ok bool) {
	e, err := DecodeEnvelope(body)
	if err != nil || e.ErrorInfo == nil {
		return "", "", false
	}
	return e.ErrorInfo.Code, e.ErrorInfo.Message, true
}

// APIError is an answer of 200 with success:false: Ashby refused the input
// (invalid_input and the like). It never holds the key.
type APIError struct {
	Path      string
	Code      string
	Message   string
	RequestID string
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("POST %s: Ashby refused the request: %s", e.Path, e.Code)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.RequestID != "" {
		msg += " (Ashby request id " + e.RequestID + ")"
	}
	return msg
}

// call POSTs in as JSON to path and decodes the results of a success into
// out (nil: ignored). A 200 with success:false is an *APIError: here, once,
// since atshttp.Client sees only the status code.
func (c *Client) call(ctx context.Context, path string, in, out any) error {
	body, err := atshttp.JSONBody(in)
	if err != nil {
		return fmt.Errorf("POST %s: %w", path, err)
	}
	resp, err := c.c.Do(ctx, atshttp.Request{Method: http.MethodPost, Path: path, Body: body, ContentType: "application/json"})
	if err != nil {
		return err
	}
	env, err := DecodeEnvelope(resp.Body)
	if err != nil {
		return fmt.Errorf("POST %s: %w", path, err)
	}
	if !env.Success {
		ae := &APIError{Path: path, Code: "unknown_error"}
		if ei := env.ErrorInfo; ei != nil {
			ae.Code, ae.Message, ae.RequestID = ei.Code, atshttp.Snippet([]byte(ei.Message)), ei.RequestID
		} else if len(env.Errors) > 0 {
			ae.Code = atshttp.Snippet([]byte(env.Errors[0]))
		}
		return ae
	}
	if out == nil || len(env.Results) == 0 {
		return nil
	}
	if err := json.Unmarshal(env.Results, out); err != nil {
		return fmt.Errorf("POST %s: decode results: %w", path, err)
	}
	return nil
}

// Update sends one assessment.update, checked first by Ashby's rules so
// that Switchboard never sends what Ashby would refuse.
func (c *Client) Update(ctx context.Context, u UpdateRequest) error {
	if err := u.Check(); err != nil {
		return &APIError{Path: PathUpdate, Code: CodeInvalidInput, Message: "not sent, Ashby would refuse it: " + err.Error()}
	}
	return c.call(ctx, PathUpdate, u, nil)
}

// APIKeyInfo is apiKey.info: the key's name and scopes.
func (c *Client) APIKeyInfo(ctx context.Context) (APIKeyInfo, error) {
	var k APIKeyInfo
	err := c.call(ctx, PathAPIKeyInfo, struct{}{}, &k)
	return k, err
}

// statusOf is the HTTP status of a refused call, 0 when there is none.
func statusOf(err error) (int, string) {
	var se *atshttp.StatusError
	if errors.As(err, &se) {
		return se.StatusCode, se.Code
	}
	return 0, ""
}
