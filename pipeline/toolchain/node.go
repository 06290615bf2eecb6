package toolchain

import (
	"fmt"

	"github.com/pixelsandpetals/delivery/pipeline/app"
)

// NodeImage is the official Node image for a major version; Debian-based so that native modules and
// `timeout` work, slim to keep pulls small.
func NodeImage(major string) string { return "node:" + major + "-bookworm-slim" }

// SystemCABundle is where Debian-based images keep the system trust store. The engine adds its custom CAs there;
// Node ignores the system store unless NODE_EXTRA_CA_CERTS points at it.
const SystemCABundle = "/etc/ssl/certs/ca-certificates.crt"

func nodeRecipe(n *app.NodeApp, v Versions) *Recipe {
	r := &Recipe{
		Image:       NodeImage(n.NodeMajor),
		ImageReason: fmt.Sprintf("Node %s from %s", n.NodeMajor, n.NodeVersionFrom),
		Env: []Env{
			{"CI", "true"},
			{"NODE_EXTRA_CA_CERTS", SystemCABundle},
			{"npm_config_cache", "/root/.npm"},
			{"npm_config_update_notifier", "false"},
			{"npm_config_fund", "false"},
			{"npm_config_audit", "false"},
		},
		Caches: []Cache{{Volume: "delivery-npm", Path: "/root/.npm"}},
	}
	switch {
	case n.Lockfile == "" && n.OtherLockfile != "":
		r.Problem = fmt.Sprintf("%s found, but only npm is supported: commit a package-lock.json (npm install) "+
			"or open an issue for your package manager", n.OtherLockfile)
	case n.Lockfile == "":
		r.Problem = "no package-lock.json: checks install exactly what the lockfile pins (npm ci); " +
			"run `npm install` and commit package-lock.json"
	}
	r.Install = Step{Name: Install, Command: bounded(v.InstallTimeoutSeconds,
		"npm", "ci", "--prefer-offline", "--fetch-timeout=60000", "--fetch-retries=2")}

	lint := Step{Name: Lint}
	switch {
	case n.HasScript("lint"):
		lint.Command = []string{"npm", "run", "--silent", "lint"}
	case n.ESLintConfig != "":
		lint.Command = []string{"npx", "--no-install", "eslint", "."}
	default:
		lint.Skip = "no lint script in package.json and no ESLint config"
	}

	tc := Step{Name: Typecheck}
	switch {
	case n.HasScript("typecheck"):
		tc.Command = []string{"npm", "run", "--silent", "typecheck"}
	case n.TSProjectReferences:
		// -b follows project references; builds land in the container's throw-away layer.
		tc.Command = []string{"npx", "--no-install", "tsc", "-b"}
	case n.TSConfig:
		tc.Command = []string{"npx", "--no-install", "tsc", "--noEmit"}
	default:
		tc.Skip = "no typecheck script and no tsconfig.json (plain JavaScript app)"
	}

	test := Step{Name: Test}
	if n.HasScript("test") {
		test.Command = []string{"npm", "test"}
	} else {
		test.Skip = "no test script in package.json: add one (e.g. \"test\": \"vitest run\") to run unit tests"
	}
	r.Stages = []Step{lint, tc, test}
	return r
}
