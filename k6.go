package main

import (
	"context"
	"fmt"
	"net/url"
	"path"
	"strconv"

	"github.com/pixelsandpetals/delivery/internal/dagger"
	"github.com/pixelsandpetals/delivery/pipeline/smoke"
)

// K6Image is pinned like every tool image.
const K6Image = "grafana/k6:1.4.2"

// k6Runner runs the app's k6 script in the k6 image against the release and gates on its thresholds AND its
// checks (k6 alone exits 0 when checks fail). With --app-endpoint the service is bound into the k6 container.
func (m *Delivery) k6Runner(script string) func(context.Context, smoke.Plan) (smoke.Result, error) {
	return func(ctx context.Context, plan smoke.Plan) (smoke.Result, error) {
		// k6 measures a live endpoint: its result is never taken from the engine's cache.
		c := fresh(dag.Container().From(K6Image)).WithoutEntrypoint().
			WithFile("/scripts/"+path.Base(script), m.Source.File(script))
		base := plan.BaseURL
		if m.AppEndpoint != nil {
			u, err := url.Parse(base)
			if err != nil {
				return smoke.Result{}, err
			}
			port := u.Port()
			if _, err := strconv.Atoi(port); err != nil {
				port = "80"
			}
			c = c.WithServiceBinding("app", m.AppEndpoint)
			base = "http://app:" + port
		}
		const summary = "/tmp/k6-summary.json"
		ran := c.WithExec(smoke.K6Args("/scripts/"+path.Base(script), base, summary),
			dagger.ContainerWithExecOpts{Expect: dagger.ReturnTypeAny})
		code, err := ran.ExitCode(ctx)
		if err != nil {
			return smoke.Result{}, fmt.Errorf("k6: %s", firstLine(err))
		}
		js, err := ran.File(summary).Contents(ctx)
		if err != nil {
			js = ""
		}
		return smoke.GateK6([]byte(js), code)
	}
}
