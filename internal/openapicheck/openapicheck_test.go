package openapicheck

import (
	"strings"
	"testing"
)

func TestNewRefusesAllButValid31(t *testing.T) {
	t.Parallel()
	const valid = `{"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{"/a":{"get":{"responses":{"200":{"description":"ok"}}}}}}`
	tests := []struct {
		name, doc, wantErr string
	}{
		{name: "valid 3.1", doc: valid},
		{name: "3.0", doc: strings.Replace(valid, "3.1.0", "3.0.3", 1), wantErr: "want 3.1"},
		{name: "not OpenAPI", doc: `{"swagger":"2.0"}`, wantErr: "openapicheck"},
		{name: "invalid 3.1", doc: `{"openapi":"3.1.0","info":{"version":"1"},"paths":{"/a":{"get":{"responses":{"200":{}}}}}}`, wantErr: "not valid OpenAPI"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := New([]byte(tt.doc))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("New: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("New: %v, want an error with %q", err, tt.wantErr)
			}
		})
	}
}
