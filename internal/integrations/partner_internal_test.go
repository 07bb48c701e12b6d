package integrations

import (
	"strings"
	"testing"

	"switchboard/internal/core"
)

// Tokens and client ids name their integration, so that they are verified
// without a lookup table; anything malformed names none.
func TestIntegrationIn(t *testing.T) {
	t.Parallel()
	id := core.NewID("int")
	client, err := newPartnerClient(id)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := integrationIn(prefixClientID, client.ID); !ok || got != id {
		t.Errorf("client id %q names %q, %v; want %q", client.ID, got, ok, id)
	}
	if !strings.HasPrefix(client.Secret, prefixClientSecret) || len(client.Secret) < 50 {
		t.Errorf("client secret %.8q… is not a long random token", client.Secret)
	}
	if got, ok := integrationIn(prefixConnectionToken, prefixConnectionToken+idPart(id)+"_abc"); !ok || got != id {
		t.Errorf("connection token names %q, %v", got, ok)
	}
	for _, bad := range []string{
		"", "sbct_", "sbct__x", "sbct_abc", "sbct_ABC_x", "sbct_a-b_x", "sbct_../_x", "sbpc_" + idPart(id) + "_x",
		prefixConnectionToken + idPart(id) + "_",
	} {
		if got, ok := integrationIn(prefixConnectionToken, bad); ok {
			t.Errorf("integrationIn(%q) = %q, want none", bad, got)
		}
	}
}
