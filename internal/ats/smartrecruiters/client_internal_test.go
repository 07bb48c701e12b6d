package smartrecruiters

import (
	"testing"
	"time"
)

func TestRefreshMargin(t *testing.T) {
	t.Parallel()
	tests := []struct{ lifetime, want time.Duration }{
		{time.Hour, time.Minute},
		{2 * time.Minute, time.Minute},
		{60 * time.Second, 30 * time.Second},
		{time.Second, 500 * time.Millisecond},
	}
	for _, tc := range tests {
		if got := refreshMargin(tc.lifetime); got != tc.want {
			t.Errorf("refreshMargin(%v) = %v, want %v", tc.lifetime, got, tc.want)
		}
	}
}
