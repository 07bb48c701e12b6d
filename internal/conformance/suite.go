package conformance

import (
	"net/http"
	"testing"

	"switchboard/internal/app/apptest"
)

// run is the suite on one database.
func run(t *testing.T, d Driver, dialect string) {
	t.Run("connect", func(t *testing.T) {
		t.Parallel()
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		tn := d.Setup(t, e)
		var in struct {
			Status string `json:"status"`
		}
		e.MustAPI(http.StatusOK, tn.APIKey(), "GET", "/integrations/"+tn.IntegrationID(), nil, &in)
		if in.Status != "enabled" {
			t.Fatalf("after set-up the %s integration is %q, want enabled", d.Provider(), in.Status)
		}
	})
}
