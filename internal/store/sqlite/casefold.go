package sqlite

import (
	"database/sql/driver"
	"fmt"
	"strings"

	"modernc.org/sqlite"
)

// SQLite's lower() and LIKE fold case for ASCII only, so a search for
// "émilie" would miss "Émilie". casefold is a Unicode-aware lower() in Go,
// registered with the driver once, before any connection opens (the driver
// only offers process-wide registration, like database/sql drivers themselves).
func init() {
	err := sqlite.RegisterDeterministicScalarFunction("casefold", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case nil:
			return nil, nil
		case string:
			return strings.ToLower(v), nil
		case []byte:
			return strings.ToLower(string(v)), nil
		default:
			return nil, fmt.Errorf("casefold: want text, got %T", v)
		}
	})
	if err != nil {
		panic(fmt.Sprintf("sqlite: register casefold: %v", err))
	}
}
