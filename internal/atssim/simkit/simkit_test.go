package simkit

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"
)

func TestBucketsOnTheInjectedClock(t *testing.T) {
	t.Parallel()
	now := time.Unix(1000, 0)
	b := NewBuckets(10, 2, func() time.Time { return now })
	for i := range 2 {
		if _, ok := b.Take("k"); !ok {
			t.Fatalf("take %d within the burst refused", i)
		}
	}
	wait, ok := b.Take("k")
	if ok || wait != 100*time.Millisecond {
		t.Fatalf("third take: ok=%v wait=%v, want refused with 100ms", ok, wait)
	}
	if _, ok := b.Take("other"); !ok {
		t.Fatal("another key shares the bucket")
	}
	now = now.Add(100 * time.Millisecond)
	if _, ok := b.Take("k"); !ok {
		t.Fatal("a token did not come back after 100ms at 10/s")
	}
	if got := b.Remaining("k"); got != 0 {
		t.Errorf("remaining %d, want 0", got)
	}
	if _, ok := NewBuckets(0, 1, time.Now).Take("k"); !ok {
		t.Error("rps 0 should not limit")
	}
}

func TestUnrouted(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /things/{id}", func(http.ResponseWriter, *http.Request) {})
	if st, allow := Unrouted(mux, httptest.NewRequest("POST", "/things/1", nil)); st != 405 || allow == "" {
		t.Errorf("wrong method: %d %q, want 405 with Allow", st, allow)
	}
	if st, _ := Unrouted(mux, httptest.NewRequest("GET", "/nothing", nil)); st != 404 {
		t.Errorf("no route: %d, want 404", st)
	}
}

// TestStandingFault: a standing fault answers every matching request after
// the queued ones, until it is cleared.
func TestStandingFault(t *testing.T) {
	t.Parallel()
	var fs Faults
	fs.Add(1, Fault{Status: http.StatusTooManyRequests})
	fs.SetStanding(&Fault{Status: http.StatusServiceUnavailable, Match: func(r *http.Request, _ []byte) bool { return r.Method == http.MethodPost }})
	post := httptest.NewRequest(http.MethodPost, "/x", nil)
	get := httptest.NewRequest(http.MethodGet, "/x", nil)
	var got []int
	for _, r := range []*http.Request{get, post, post, get, post} {
		f, ok := fs.Take(r, nil)
		if !ok {
			f.Status = 0
		}
		got = append(got, f.Status)
	}
	fs.SetStanding(nil)
	if _, ok := fs.Take(post, nil); ok {
		got = append(got, -1)
	}
	if want := []int{429, 503, 503, 0, 503}; !slices.Equal(got, want) {
		t.Errorf("answers %v, want %v (and none once cleared)", got, want)
	}
}
