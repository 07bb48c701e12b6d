// Package sqlcodec holds the column encodings both SQL dialects of the store
// use alike: optional references stored as NULL, JSON text columns, blobs,
// LIKE patterns from user input and list paging limits. What differs per
// dialect (times, error codes) stays in the dialect's package.
package sqlcodec

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
)

// NullIfEmpty stores an empty optional reference as NULL so that foreign keys
// hold.
func NullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Str scans a nullable text column into s, NULL becoming "".
func Str(s *string) sql.Scanner { return strCol{s} }

type strCol struct{ s *string }

func (c strCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.s = ""
	case string:
		*c.s = v
	case []byte:
		*c.s = string(v)
	default:
		return fmt.Errorf("text column: unexpected %T", src)
	}
	return nil
}

// Blob stores an empty byte slice as NULL; it scans back as nil.
func Blob(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// BlobCol scans a nullable blob into b, copying it out of the driver's buffer.
func BlobCol(b *[]byte) sql.Scanner { return blobCol{b} }

type blobCol struct{ b *[]byte }

func (c blobCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.b = nil
	case []byte:
		*c.b = append([]byte(nil), v...)
	case string:
		*c.b = []byte(v)
	default:
		return fmt.Errorf("blob column: unexpected %T", src)
	}
	return nil
}

// JSONText encodes v for a JSON text column. Both dialects keep JSON as text
// so the bytes round-trip exactly.
func JSONText(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// JSON scans a JSON text column into v (a pointer).
func JSON(v any) sql.Scanner { return jsonCol{v} }

type jsonCol struct{ v any }

func (c jsonCol) Scan(src any) error {
	var b []byte
	switch s := src.(type) {
	case string:
		b = []byte(s)
	case []byte:
		b = s
	default:
		return fmt.Errorf("json column: unexpected %T", src)
	}
	if err := json.Unmarshal(b, c.v); err != nil {
		return fmt.Errorf("json column: %w", err)
	}
	return nil
}

// LikeContains turns user input into a LIKE pattern matching it as a
// substring, escaping LIKE's wildcards with '\' (pair with ESCAPE '\').
func LikeContains(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// Paging limits for list queries.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// ClampLimit applies the default and the maximum to a requested page size.
func ClampLimit(n int) int { return Clamp(n, DefaultLimit, MaxLimit) }

// Clamp applies a default (for n <= 0) and a maximum to a requested page
// size, for lists whose limits are not the usual ones.
func Clamp(n, def, most int) int {
	switch {
	case n <= 0:
		return def
	case n > most:
		return most
	}
	return n
}
