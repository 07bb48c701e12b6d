package ats_test

import (
	"context"
	"testing"

	"switchboard/internal/ats"
)

// fake is a Connector that describes itself as told; the embedded nil
// interface stands in for the methods the registry never calls.
type fake struct {
	ats.Connector
	name string
	desc ats.Description
}

func (f fake) Provider() string          { return f.name }
func (f fake) Describe() ats.Description { return f.desc }
func (f runner) StartTestOrder(context.Context, ats.Config, ats.TestOrderRequest) (ats.TestOrder, []ats.Check) {
	return ats.TestOrder{}, nil
}
func (f runner) InspectTestOrder(context.Context, ats.Config, ats.TestOrder, ats.TestExpectation) []ats.Check {
	return nil
}

// runner is a fake that runs test orders.
type runner struct{ fake }

// TestRegistryRefusesAMisdescribedConnector: what pages offer (Description)
// and what the connector can do (SandboxRunner) cannot disagree.
func TestRegistryRefusesAMisdescribedConnector(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		c     ats.Connector
		panic bool
	}{
		{"runs and says so", runner{fake{name: "a", desc: ats.Description{TestOrders: true}}}, false},
		{"does not run and says so", fake{name: "b"}, false},
		{"claims test orders it cannot run", fake{name: "c", desc: ats.Description{TestOrders: true}}, true},
		{"runs test orders it does not offer", runner{fake{name: "d"}}, true},
	}
	for _, tt := range tests {
		func() {
			defer func() {
				if got := recover() != nil; got != tt.panic {
					t.Errorf("%s: NewRegistry panicked: %v, want %v", tt.name, got, tt.panic)
				}
			}()
			ats.NewRegistry(tt.c)
		}()
	}
}
