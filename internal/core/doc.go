// Package core holds Switchboard's domain: accounts and their users, integrations
// with an ATS, vacancies (the packages a recruiter can order), candidates, orders
// with their state machine, results and the per-order timeline.
//
// The types here are plain values; persistence lives behind internal/store and
// side effects are jobs in internal/queue. Nothing in core knows which ATS an
// integration talks to.
package core
