package greenhouse

// The one call Switchboard makes to Greenhouse: the PATCH ping ("Mark Test
// as Completed") to the url of a send_test, through atshttp.Client.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"switchboard/internal/ats"
	"switchboard/internal/ats/atshttp"
)

// PingHosts are the hosts a send_test url may name: Greenhouse's
// application host (verified: the docs' url is on app.greenhouse.io) and its
// EU data centre's (inferred: Greenhouse's EU customers use
// app.eu.greenhouse.io). Anything else needs the operator's leave
// (--allow-ats-host), since the ping carries the integration's key there.
var PingHosts = []string{"app.greenhouse.io", "app.eu.greenhouse.io"}

// pingField is PingHosts as a URL field, for ats.AllowedHosts.CheckURL.
var pingField = ats.Field{Key: "url", Label: "send_test url", Hosts: PingHosts}

// ErrPingURL is a send_test url Switchboard will not send the key to.
var ErrPingURL = errors.New("greenhouse: ping URL refused")

// checkPingURL says why raw may not be pinged, or nil: an https URL of one
// of PingHosts, or an http(s) URL of a host the operator allowed.
func (c *Connector) checkPingURL(raw string) error {
	if c.hostsErr != nil {
		return fmt.Errorf("%w: the operator's allowed ATS hosts are unreadable: %v", ErrPingURL, c.hostsErr)
	}
	if problem := c.hosts.CheckURL("Greenhouse", pingField, raw); problem != "" {
		return fmt.Errorf("%w: %s", ErrPingURL, problem)
	}
	return nil
}

// Ping sends Greenhouse the PATCH ping for one test instance: no body, the
// key Switchboard issued as the Basic user name with an empty password (the
// same credential Greenhouse calls Switchboard with). Greenhouse answers
// with a status code only; which one is not documented, so any 2xx is
// success (inferred). The ping is idempotent (Greenhouse only asks
// test_status again), so the client retries it as any read.
func (c *Connector) Ping(ctx context.Context, hc *http.Client, key, pingURL string) error {
	if err := c.checkPingURL(pingURL); err != nil {
		return err
	}
	cl := &atshttp.Client{
		HTTP: hc, Auth: atshttp.Basic(key, ""), UserAgent: "switchboard-greenhouse/1",
		Sleep: c.o.Sleep, Now: c.o.Now,
	}
	if _, err := cl.Do(ctx, atshttp.Request{Method: http.MethodPatch, URL: pingURL, Timeout: 15 * time.Second}); err != nil {
		return fmt.Errorf("greenhouse ping: %w", err)
	}
	return nil
}
