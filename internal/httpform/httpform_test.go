package httpform

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, contentType, body string
		want                    int // 0: parsed
		field                   string
	}{
		{"url-encoded", "application/x-www-form-urlencoded", "a=1&b=2", 0, "1"},
		{"url-encoded with a charset", "application/x-www-form-urlencoded; charset=utf-8", "a=1", 0, "1"},
		{"no body, no type", "", "", 0, ""},
		{"at the limit", "application/x-www-form-urlencoded", "a=" + strings.Repeat("x", 62), 0, strings.Repeat("x", 62)},
		{"one byte over", "application/x-www-form-urlencoded", "a=" + strings.Repeat("x", 63), http.StatusRequestEntityTooLarge, ""},
		{"multipart", "multipart/form-data; boundary=b", "--b--\r\n", http.StatusUnsupportedMediaType, ""},
		{"a body without a type", "", "a=1", http.StatusUnsupportedMediaType, ""},
		{"a malformed type", "application/x-www-form-urlencoded; =", "a=1", http.StatusUnsupportedMediaType, ""},
		{"malformed encoding", "application/x-www-form-urlencoded", "a=%zz", http.StatusBadRequest, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest("POST", "/", strings.NewReader(c.body))
			if c.contentType != "" {
				r.Header.Set("Content-Type", c.contentType)
			}
			err := Parse(httptest.NewRecorder(), r, 64)
			var fe *Error
			switch {
			case c.want == 0 && err != nil:
				t.Fatalf("Parse: %v", err)
			case c.want == 0:
				if got := r.PostFormValue("a"); got != c.field {
					t.Fatalf("a = %q, want %q", got, c.field)
				}
			case !errors.As(err, &fe) || fe.Status != c.want || fe.Message == "":
				t.Fatalf("Parse: %v, want status %d", err, c.want)
			}
		})
	}
}

func TestLimitAnswersBeforeTheHandler(t *testing.T) {
	t.Parallel()
	called := false
	h := Limit(16, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true }))
	r := httptest.NewRequest("POST", "/", strings.NewReader(strings.Repeat("a=b&", 100)))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if called || w.Code != http.StatusRequestEntityTooLarge || w.Header().Get("Connection") != "close" {
		t.Fatalf("handler called %v, status %d, Connection %q", called, w.Code, w.Header().Get("Connection"))
	}
}
