package ui

import "testing"

// TestSafeNext: after sign-in only a path on this host is followed; anything
// a browser could read as another host goes to the orders page.
func TestSafeNext(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"/orders/ord_1?state=invited": "/orders/ord_1?state=invited",
		"/integrations":               "/integrations",
		"":                            "/orders",
		"https://evil.example/":       "/orders",
		"//evil.example":              "/orders",
		"/\\evil.example":             "/orders",
		"/\t/evil.example":            "/orders",
		"/%09/evil.example":           "/%09/evil.example", // still a path here: escaped, not a tab
		"/\n/evil.example":            "/orders",
		"\\\\evil.example":            "/orders",
		"javascript:alert(1)":         "/orders",
		"orders":                      "/orders",
	}
	for in, want := range tests {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}
