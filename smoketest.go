package main

import (
	"context"
	"fmt"
	"os"

	"github.com/pixelsandpetals/delivery/internal/dagger"
	"github.com/pixelsandpetals/delivery/pipeline/smoke"
)

// SmokeTest sends the app's smoke test (its smoke.json, or GET /healthz and / for 200) to a running environment
// and fails when a check or threshold (p95 latency, error rate) fails. The target is --url, else --app-endpoint,
// else the environment's app_url output.
// +cache="never"
func (m *Delivery) SmokeTest(
	ctx context.Context,
	// Environment whose app_url to test; not needed with --url or --app-endpoint.
	// +optional
	env string,
	// Base URL to test instead, e.g. https://staging.example.com.
	// +optional
	url string,
) (string, error) {
	plan, err := m.smokePlan(ctx)
	if err != nil {
		return "", err
	}
	switch {
	case url != "":
		plan.BaseURL = url
	case m.AppEndpoint != nil:
		if plan.BaseURL, err = m.AppEndpoint.Endpoint(ctx, dagger.ServiceEndpointOpts{Scheme: "http"}); err != nil {
			return "", fmt.Errorf("app endpoint: %s", firstLine(err))
		}
	case env != "":
		_, targets, err := m.openApplied(ctx, env)
		if err != nil {
			return "", err
		}
		plan.BaseURL = targets.AppURL
	default:
		return "", fmt.Errorf("smoke-test: say what to test: --env, --url or --app-endpoint")
	}
	res, err := smoke.Run(ctx, plan, os.Stderr)
	if err != nil {
		return "", err
	}
	if !res.Passed {
		return "", fmt.Errorf("smoke test of %s failed\n\n%s", plan.BaseURL, res.String())
	}
	return res.String(), nil
}
