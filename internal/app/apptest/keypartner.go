package apptest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"

	"switchboard/internal/ats"
	"switchboard/internal/core"
)

// KeyPartner is a partner connector of no real ATS, for tests of what the
// core does for any connector whose ATS calls Switchboard with a key it
// issued (ats.InboundBearer, ats.InboundBasic) and pulls its results: the
// key endpoint, the admin pages, PartnerCore.Status and Complaint. Its
// endpoints are a thin JSON wire over the PartnerCore:
//
//	GET  {prefix}/whoami                 → {"integration_id"}
//	POST {prefix}/orders     {package_id, key, name, email, callback_url, callback_token} → {"order_id", "created"}
//	GET  {prefix}/status?order_id=…      → KeyPartnerStatus
//	POST {prefix}/complaints {order_id, call, errors} → 204
type KeyPartner struct {
	Name, ProviderName string
	Auth               ats.InboundAuth
	Results            ats.Results // "" is pulled
	Multiple           bool

	mu         sync.Mutex
	writeBacks int
}

// KeyPartnerStatus is what the status endpoint answers.
type KeyPartnerStatus struct {
	OrderID       string `json:"order_id"`
	State         string `json:"state"`
	CandidateName string `json:"candidate_name"`
	VacancyName   string `json:"vacancy_name"`
	Score         *int   `json:"score,omitempty"`
	Label         string `json:"label,omitempty"`
	ReportURL     string `json:"report_url,omitempty"`
	CallbackURL   string `json:"callback_url,omitempty"`
	CallbackToken string `json:"callback_token,omitempty"`
}

var _ ats.PartnerEndpoints = (*KeyPartner)(nil)

// Provider implements ats.Connector.
func (k *KeyPartner) Provider() string { return k.ProviderName }

// Describe implements ats.Connector.
func (k *KeyPartner) Describe() ats.Description {
	return ats.Description{Name: k.Name, Patterns: []core.Pattern{core.PatternAdHoc}, Results: cmpOr(k.Results, ats.ResultsPulled), Multiple: k.Multiple,
		Reports: []string{"read_only_page_url"}}
}

func cmpOr(r, def ats.Results) ats.Results {
	if r == "" {
		return def
	}
	return r
}

// Validate implements ats.Connector: nothing to call.
func (k *KeyPartner) Validate(context.Context, ats.Config) []ats.Check { return nil }

// WriteBack implements ats.Connector; it counts the calls (WriteBacks).
func (k *KeyPartner) WriteBack(context.Context, ats.Config, ats.Update, ats.Steps) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.writeBacks++
	return nil
}

// WriteBacks is how often the core wrote back to this connector.
func (k *KeyPartner) WriteBacks() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.writeBacks
}

// InboundAuth implements ats.PartnerEndpoints.
func (k *KeyPartner) InboundAuth() ats.InboundAuth { return k.Auth }

// RegisterPartner implements ats.PartnerEndpoints.
func (k *KeyPartner) RegisterPartner(mux *http.ServeMux, prefix string, pc ats.PartnerCore) {
	fail := func(w http.ResponseWriter, err error) {
		var ie *ats.InboundError
		if errors.As(err, &ie) {
			http.Error(w, ie.Message, ie.Status)
			return
		}
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
	answer := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	authed := func(h func(w http.ResponseWriter, r *http.Request, cfg ats.Config)) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			cfg, err := pc.Authenticate(r.Context(), r.Header)
			if err != nil {
				fail(w, err)
				return
			}
			h(w, r, cfg)
		}
	}
	mux.HandleFunc("GET "+prefix+"/whoami", authed(func(w http.ResponseWriter, r *http.Request, cfg ats.Config) {
		answer(w, map[string]string{"integration_id": cfg.Integration.ID})
	}))
	mux.HandleFunc("POST "+prefix+"/orders", authed(func(w http.ResponseWriter, r *http.Request, cfg ats.Config) {
		var in map[string]string
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		rec, err := pc.Order(r.Context(), cfg, ats.Event{
			Kind: ats.EventOrderRequested, Mode: core.ModeAdHoc, IdempotencyKey: k.ProviderName + ":" + in["key"],
			Candidate:  ats.Candidate{ExternalID: "cand-" + in["key"], Name: in["name"], Email: in["email"]},
			ExternalID: in["key"], PackageID: in["package_id"], CallbackURL: in["callback_url"], CallbackToken: in["callback_token"],
		})
		if err != nil {
			fail(w, err)
			return
		}
		answer(w, map[string]any{"order_id": rec.OrderID, "created": rec.Created})
	}))
	mux.HandleFunc("GET "+prefix+"/status", authed(func(w http.ResponseWriter, r *http.Request, cfg ats.Config) {
		u, err := pc.Status(r.Context(), cfg, r.URL.Query().Get("order_id"))
		if err != nil {
			fail(w, err)
			return
		}
		st := KeyPartnerStatus{OrderID: u.Order.ID, State: string(u.State), CandidateName: u.Candidate.Name, VacancyName: u.Vacancy.Name,
			ReportURL: u.Reports.ReadOnlyPageURL, CallbackURL: u.Callback.URL, CallbackToken: u.Callback.Token}
		if u.Result != nil {
			st.Label = u.Result.Label
			if u.Result.Score != nil {
				v := int(u.Result.Score.Value)
				st.Score = &v
			}
		}
		answer(w, st)
	}))
	mux.HandleFunc("POST "+prefix+"/complaints", authed(func(w http.ResponseWriter, r *http.Request, cfg ats.Config) {
		var c struct {
			OrderID string   `json:"order_id"`
			Call    string   `json:"call"`
			Errors  []string `json:"errors"`
		}
		if err := json.NewDecoder(r.Body).Decode(&c); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err := pc.Complaint(r.Context(), cfg, ats.Complaint{OrderID: c.OrderID, Call: c.Call, Errors: c.Errors}); err != nil {
			fail(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
}
