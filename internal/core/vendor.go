package core

import (
	"fmt"
	"time"
)

// Kind is what a package is: an assessment a candidate takes, or a
// background check a vendor runs on them. Orders of each kind go through the
// same machinery; the kind decides the event a vendor receives and how an
// ATS lists the package.
type Kind string

const (
	KindAssessment      Kind = "assessment"
	KindBackgroundCheck Kind = "background_check"
)

// ParseKind validates a package kind; "" is an assessment.
func ParseKind(s string) (Kind, error) {
	switch Kind(s) {
	case "", KindAssessment:
		return KindAssessment, nil
	case KindBackgroundCheck:
		return KindBackgroundCheck, nil
	}
	return "", fmt.Errorf("unknown package kind %q: use assessment or background_check", s)
}

// BuiltinVendorID is the vendor every built-in engine vacancy belongs to. It
// has no row of its own: it is part of this Switchboard.
const BuiltinVendorID = "builtin"

// VendorStatus says whether a vendor may act.
type VendorStatus string

const (
	VendorActive   VendorStatus = "active"
	VendorDisabled VendorStatus = "disabled" // keys refused, nothing delivered
)

// Vendor is an outside assessment or background-check company connected to
// this Switchboard. The operator creates it; account super admins link it to
// their accounts, which makes its packages orderable there.
type Vendor struct {
	ID     string
	Name   string
	Kind   Kind // what it mainly offers; each package has its own kind
	Status VendorStatus

	// WebhookURL receives orders (Standard Webhooks deliveries); "" until the
	// vendor sets it, and orders then wait to be pulled.
	WebhookURL string
	// WebhookSecrets holds the signing secrets, sealed with the keyring: the
	// current one, and the previous one while a rotation lasts.
	WebhookSecrets []byte
	// EndpointDisabledAt is set when the endpoint was switched off after
	// failing continuously (or by hand), with the reason; zero while it
	// receives. FailingSince is when the current run of failures began.
	EndpointDisabledAt     time.Time
	EndpointDisabledReason string
	FailingSince           time.Time

	// PackagesURL is the vendor's package list endpoint, "" when it has none;
	// PackagesKey (sealed) is what Switchboard authenticates with there.
	PackagesURL string
	PackagesKey []byte
	// PackagesError is why the last call to PackagesURL failed, "" when it
	// worked, and PackagesErrorAt when.
	PackagesError   string
	PackagesErrorAt time.Time

	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int64
}

// VendorKey is a vendor's API key. Only the SHA-256 of the key is stored.
type VendorKey struct {
	ID         string
	VendorID   string
	Prefix     string // first characters, to tell keys apart in listings
	Hash       string
	CreatedAt  time.Time
	LastUsedAt time.Time
}

// VendorLink makes a vendor's packages orderable in an account.
type VendorLink struct {
	VendorID  string
	AccountID string
	CreatedAt time.Time
	CreatedBy string // email of who linked it
}

// PackageSource says where a vendor's stored packages came from.
type PackageSource string

const (
	PackagesStatic PackageSource = "static" // entered in the admin UI or API
	PackagesPushed PackageSource = "pushed" // PUT by the vendor through its API
)

// VendorPackage is a package as its vendor describes it: ID is the vendor's
// own identifier. The vendor's stored packages are one replace-all set.
type VendorPackage struct {
	VendorID    string
	ID          string
	Kind        Kind
	Name        string
	Description string
	Source      PackageSource
	UpdatedAt   time.Time
}

// DeliveryStatus is where a delivery to a vendor is.
type DeliveryStatus string

const (
	DeliveryPending   DeliveryStatus = "pending"   // not yet accepted; attempts go on
	DeliveryDelivered DeliveryStatus = "delivered" // the vendor answered 2xx
	DeliveryRejected  DeliveryStatus = "rejected"  // the vendor answered 422: it refuses the order
	DeliveryFailed    DeliveryStatus = "failed"    // attempts ran out or the endpoint is disabled
)

// Delivery is one event sent to a vendor's webhook endpoint. Its ID is the
// Standard Webhooks webhook-id: the same for every attempt and replay, so a
// vendor can tell a repeat.
type Delivery struct {
	ID        string
	VendorID  string
	AccountID string
	OrderID   string // "" for events about no order
	Event     string // "assessment.created", "background_check.created"
	Payload   []byte // the JSON body, as signed
	Status    DeliveryStatus
	Attempts  int
	// Message is the vendor's rejection message, or why delivery failed.
	Message       string
	LastAttemptAt time.Time
	NextAttemptAt time.Time // zero when no attempt is scheduled
	DeliveredAt   time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// DeliveryAttempt is one try at a delivery.
type DeliveryAttempt struct {
	ID         int64
	DeliveryID string
	At         time.Time
	Status     int // the HTTP status; 0 when no response came
	Duration   time.Duration
	Response   string // the start of the response body
	Error      string // what went wrong without a response ("timeout", "connection refused")
	Replay     bool   // started by a person replaying the delivery
}

// StoredFile is a file Switchboard keeps for an order, such as an attachment
// fetched from a vendor; a result's Attachment refers to it by ID.
type StoredFile struct {
	ID          string
	AccountID   string
	OrderID     string
	Name        string
	ContentType string
	SHA256      string // hex
	Data        []byte
	CreatedAt   time.Time
}
