package app

import (
	"context"
	"encoding/json"
	"fmt"
)

// daggerGoModule reports whether the tree is a Dagger module written with the Go SDK (dagger.json at the root
// with sdk "go"). Such a module's bindings (dagger.gen.go, internal/dagger…) are generated and usually gitignored,
// so its root package only compiles once the SDK has generated them: the check asks the engine to, first.
func daggerGoModule(ctx context.Context, src Source) (bool, error) {
	data, err := src.ReadFile(ctx, "dagger.json")
	if isNotExist(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading dagger.json: %w", err)
	}
	var mod struct {
		SDK json.RawMessage `json:"sdk"`
	}
	if err := json.Unmarshal(data, &mod); err != nil {
		return false, fmt.Errorf("dagger.json: %v", err)
	}
	// Current dagger.json: "sdk": {"source": "go"}; before v0.12: "sdk": "go".
	var sdk struct {
		Source string `json:"source"`
	}
	if err := json.Unmarshal(mod.SDK, &sdk); err != nil {
		if err := json.Unmarshal(mod.SDK, &sdk.Source); err != nil {
			return false, nil
		}
	}
	return sdk.Source == "go", nil
}
