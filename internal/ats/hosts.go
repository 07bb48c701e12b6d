package ats

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// AllowedHosts are the hosts, beyond each connector's own, that the operator
// lets an integration's API URL name (--allow-ats-host): a simulator, a
// proxy, an ATS on the operator's network. An entry without a port allows
// every port of that host.
type AllowedHosts struct{ hosts []string }

// ParseAllowedHosts reads "host" and "host:port" entries; empty ones are
// skipped, so a trailing comma is harmless.
func ParseAllowedHosts(entries []string) (AllowedHosts, error) {
	var a AllowedHosts
	for _, e := range entries {
		e = strings.ToLower(strings.TrimSpace(e))
		if e == "" {
			continue
		}
		u, err := url.Parse("//" + e)
		if err != nil || u.Host != e || u.Hostname() == "" || strings.HasSuffix(e, ":") {
			return AllowedHosts{}, fmt.Errorf("allowed ATS host %q: want a host name or address with an optional port, e.g. ats.internal:8443", e)
		}
		a.hosts = append(a.hosts, e)
	}
	return a, nil
}

func (a AllowedHosts) allows(u *url.URL) bool {
	host := strings.ToLower(u.Host)
	name := strings.ToLower(u.Hostname())
	return slices.ContainsFunc(a.hosts, func(e string) bool { return e == host || e == name })
}

// CheckURL says what is wrong with raw as the value of the URL setting f, in
// the user's words, or returns "" when it may be used: an https URL of one of
// f.Hosts, or an http(s) URL of a host the operator allowed. An entry
// "*.example.com" of f.Hosts stands for every subdomain of example.com (not
// example.com itself), for ATSs that give each customer their own host
// (Workable's {subdomain}.workable.com).
func (a AllowedHosts) CheckURL(ats string, f Field, raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return fmt.Sprintf("%q is not an http(s) URL", raw)
	}
	if a.allows(u) {
		return ""
	}
	if !slices.ContainsFunc(f.Hosts, func(h string) bool { return hostMatches(h, u.Hostname()) }) {
		return fmt.Sprintf("%s is not one of %s's API hosts (%s); the operator can allow another with --allow-ats-host", u.Host, ats, strings.Join(f.Hosts, ", "))
	}
	if u.Scheme != "https" {
		return fmt.Sprintf("%s's API is reached over https: use https://%s", ats, u.Host+u.RequestURI())
	}
	return ""
}

// hostMatches reports whether host is the entry pattern names: the same
// host, or for "*.domain" any host under domain.
func hostMatches(pattern, host string) bool {
	host = strings.ToLower(host)
	if domain, ok := strings.CutPrefix(pattern, "*."); ok {
		sub, ok := strings.CutSuffix(host, "."+domain)
		return ok && sub != "" && !strings.HasPrefix(sub, ".") && !strings.HasSuffix(sub, ".")
	}
	return pattern == host
}

// URLHost is the host a URL setting points at, lower-cased and without its
// port (the ports of one host are one owner's), for telling whether a change
// sends credentials to someone else; "" when raw is no URL.
func URLHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// CheckSettings checks each API URL setting among fields (those with
// Hosts) against the hosts the connector and the operator allow, one check
// per setting; an unset one falls back to its default, and an unset one
// without a default that is not required is skipped (the connector derives
// the URL itself, as Workable does from the subdomain).
func (a AllowedHosts) CheckSettings(name string, fields []Field, settings map[string]string) []Check {
	var checks []Check
	for _, f := range fields {
		if len(f.Hosts) == 0 {
			continue
		}
		v := settings[f.Key]
		if v == "" {
			v = f.Default
		}
		if v == "" && !f.Required {
			continue
		}
		problem := a.CheckURL(name, f, v)
		checks = append(checks, Check{Name: f.Label + " is an allowed " + name + " host", OK: problem == "", Problem: problem})
	}
	return checks
}
