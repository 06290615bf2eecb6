package main

import (
	"crypto/rand"

	"github.com/pixelsandpetals/delivery/internal/dagger"
)

// freshVariable is the one way this module marks an exec whose result depends on the world outside its inputs.
//
// Why: the engine caches every container exec by its inputs (image, files, arguments, environment, secrets,
// bound services). `+cache="never"` on a function only stops the *function's* result from being reused; the execs
// it builds are still looked up by their inputs. A terraform plan against the same infra directory, flags and
// credentials has the same inputs on Monday and on Friday, so on an engine that keeps its state (a laptop, a
// self-hosted runner, a shared engine) the second `plan` would replay Monday's output without running, and a
// second `apply` would "succeed" without touching AWS. Execs that read or change the world — terraform init,
// plan, apply, output; k6 against a live endpoint; trivy refreshing its vulnerability DB — get this variable,
// set to a value unique to the function call, so none of them is ever answered from the cache.
//
// Everything else (lint, typecheck, test, build, a scan of an unchanged source with an unchanged DB) is keyed by
// its inputs only, and an unchanged check stays a cache hit.
const freshVariable = "DELIVERY_CALL_ID"

// callID is unique to this function call: the engine starts the module's runtime afresh for every call it does not
// answer from its function cache, and functions that read the world are `+cache="never"`.
var callID = rand.Text()

// fresh marks every exec of c from here on as reading or changing the world: it runs on every call, never from the
// engine's cache. Execs later in the same call that build on c share its results (a plan file reaches the apply
// that follows it), because they carry the same call id.
func fresh(c *dagger.Container) *dagger.Container {
	return c.WithEnvVariable(freshVariable, callID)
}
