package vendors

import (
	"encoding/json"
	"fmt"
	"time"

	"switchboard/internal/core"
	"switchboard/internal/stdwebhook"
)

// signingSecret is one webhook signing secret as sealed into
// core.Vendor.WebhookSecrets. Until is zero for the current secret and the
// end of its grace for a rotated-out one.
type signingSecret struct {
	Secret string    `json:"secret"`
	Until  time.Time `json:"until,omitzero"`
}

func secretsAAD(vendorID string) []byte { return []byte("vendor:" + vendorID + ":webhook-secrets") }

func packagesKeyAAD(vendorID string) []byte { return []byte("vendor:" + vendorID + ":packages-key") }

// openSecrets reads a vendor's signing secrets, current first; none when it
// has none yet.
func (s *Service) openSecrets(v core.Vendor) ([]signingSecret, error) {
	if len(v.WebhookSecrets) == 0 {
		return nil, nil
	}
	plain, err := s.d.Keyring.Decrypt(v.WebhookSecrets, secretsAAD(v.ID))
	if err != nil {
		return nil, fmt.Errorf("vendor %s: open signing secrets: %w", v.ID, err)
	}
	var out []signingSecret
	if err := json.Unmarshal(plain, &out); err != nil {
		return nil, fmt.Errorf("vendor %s: read signing secrets: %w", v.ID, err)
	}
	return out, nil
}

// sealSecrets stores ss, dropping the rotated-out secrets whose grace ended.
func (s *Service) sealSecrets(v *core.Vendor, ss []signingSecret) error {
	now := s.now()
	live := make([]signingSecret, 0, len(ss))
	for _, sec := range ss {
		if sec.Until.IsZero() || sec.Until.After(now) {
			live = append(live, sec)
		}
	}
	plain, err := json.Marshal(live)
	if err != nil {
		return fmt.Errorf("vendor %s: write signing secrets: %w", v.ID, err)
	}
	sealed, err := s.d.Keyring.Encrypt(plain, secretsAAD(v.ID))
	if err != nil {
		return fmt.Errorf("vendor %s: seal signing secrets: %w", v.ID, err)
	}
	v.WebhookSecrets = sealed
	return nil
}

// validSecrets parses the secrets that sign at now, current first.
func (s *Service) validSecrets(v core.Vendor, now time.Time) ([]stdwebhook.Secret, error) {
	ss, err := s.openSecrets(v)
	if err != nil {
		return nil, err
	}
	out := make([]stdwebhook.Secret, 0, len(ss))
	for _, sec := range ss {
		if !sec.Until.IsZero() && !sec.Until.After(now) {
			continue
		}
		parsed, err := stdwebhook.ParseSecret(sec.Secret)
		if err != nil {
			return nil, fmt.Errorf("vendor %s: stored signing secret: %w", v.ID, err)
		}
		out = append(out, parsed)
	}
	return out, nil
}

// addSecret makes a fresh secret current; the current one, if any, keeps
// signing until the rotation grace ends. It returns the new secret and the
// end of the old one's grace (zero when there was none).
func (s *Service) addSecret(v *core.Vendor) (stdwebhook.Secret, time.Time, error) {
	ss, err := s.openSecrets(*v)
	if err != nil {
		return stdwebhook.Secret{}, time.Time{}, err
	}
	var until time.Time
	for i := range ss {
		if ss[i].Until.IsZero() {
			until = s.now().Add(s.d.RotationGrace)
			ss[i].Until = until
		}
	}
	fresh := stdwebhook.NewSecret()
	if err := s.sealSecrets(v, append([]signingSecret{{Secret: fresh.Reveal()}}, ss...)); err != nil {
		return stdwebhook.Secret{}, time.Time{}, err
	}
	return fresh, until, nil
}

// previousUntil is when the last rotated-out secret stops signing, zero when
// none is live.
func (s *Service) previousUntil(v core.Vendor) (time.Time, error) {
	ss, err := s.openSecrets(v)
	if err != nil {
		return time.Time{}, err
	}
	var until time.Time
	now := s.now()
	for _, sec := range ss {
		if sec.Until.After(now) && sec.Until.After(until) {
			until = sec.Until
		}
	}
	return until, nil
}
