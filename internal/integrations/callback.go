package integrations

import (
	"encoding/json"
	"fmt"

	"switchboard/internal/ats"
)

// Per-order callbacks (ats.Event.CallbackURL and CallbackToken: Workable's
// callback_url and the token it wants results sent with, Greenhouse's ping
// URL) are credentials: the token authorises writing results into the ATS,
// and a URL may carry one. They are stored with the order only sealed with
// the keyring, which this package holds, bound to the order's integration so
// that bytes copied to another integration's order do not open.

// sealedCallback is what is sealed.
type sealedCallback struct {
	URL   string `json:"u"`
	Token string `json:"t,omitempty"`
}

func callbackAAD(integrationID string) []byte {
	return []byte("integration:" + integrationID + ":order-callback")
}

// SealCallback seals an order's callback for storing with the order; an
// empty callback seals to nil (nothing stored).
func (s *Service) SealCallback(integrationID string, cb ats.Callback) ([]byte, error) {
	if cb == (ats.Callback{}) {
		return nil, nil
	}
	plain, err := json.Marshal(sealedCallback{URL: cb.URL, Token: cb.Token})
	if err != nil {
		return nil, fmt.Errorf("seal callback: %w", err)
	}
	sealed, err := s.d.Keyring.Encrypt(plain, callbackAAD(integrationID))
	if err != nil {
		return nil, fmt.Errorf("seal callback: %w", err)
	}
	return sealed, nil
}

// OpenCallback opens what SealCallback sealed for the same integration; nil
// opens to the empty callback.
func (s *Service) OpenCallback(integrationID string, sealed []byte) (ats.Callback, error) {
	if len(sealed) == 0 {
		return ats.Callback{}, nil
	}
	plain, err := s.d.Keyring.Decrypt(sealed, callbackAAD(integrationID))
	if err != nil {
		return ats.Callback{}, fmt.Errorf("open the order's callback (sealed for integration %s): %w", integrationID, err)
	}
	var c sealedCallback
	if err := json.Unmarshal(plain, &c); err != nil {
		return ats.Callback{}, fmt.Errorf("open the order's callback: %w", err)
	}
	return ats.Callback{URL: c.URL, Token: c.Token}, nil
}
