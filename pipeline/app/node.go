package app

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// DefaultNodeMajor is used when an app declares no Node version (.nvmrc, .node-version or engines.node).
const DefaultNodeMajor = "22"

// npmDefaultTest is the test script `npm init` writes; it means "no tests", not "a failing test suite".
const npmDefaultTest = `echo "Error: no test specified" && exit 1`

// NodeApp is what a Node/TypeScript app declares.
type NodeApp struct {
	// Name is package.json's name.
	Name string
	// NodeMajor is the Node.js major version the app asks for, e.g. "20".
	NodeMajor string
	// NodeVersionFrom says where NodeMajor came from: ".nvmrc", ".node-version", "engines.node" or "default".
	NodeVersionFrom string
	// Scripts are package.json's scripts.
	Scripts map[string]string
	// Lockfile is "package-lock.json" (or "npm-shrinkwrap.json") when the app has one npm can install from.
	Lockfile string
	// OtherLockfile names a yarn or pnpm lockfile: those package managers are not supported yet.
	OtherLockfile string
	// ESLintConfig is the flat or legacy ESLint config file, if any.
	ESLintConfig string
	// TSConfig is true when tsconfig.json exists; TSProjectReferences when it declares "references" (tsc -b).
	TSConfig            bool
	TSProjectReferences bool
	// IntegrationScript is the name of a declared integration test script ("test:integration"), if any.
	IntegrationScript string
}

type packageJSON struct {
	Name    string            `json:"name"`
	Scripts map[string]string `json:"scripts"`
	Engines struct {
		Node string `json:"node"`
	} `json:"engines"`
}

// HasScript reports whether package.json declares a non-empty script of that name. npm's placeholder test
// script counts as absent.
func (n *NodeApp) HasScript(name string) bool {
	s := strings.TrimSpace(n.Scripts[name])
	if s == "" {
		return false
	}
	return name != "test" || s != npmDefaultTest
}

func detectNode(ctx context.Context, src Source, pkg []byte) (*NodeApp, error) {
	var p packageJSON
	if err := json.Unmarshal(pkg, &p); err != nil {
		return nil, fmt.Errorf("package.json is not valid JSON: %w", err)
	}
	n := &NodeApp{Name: p.Name, Scripts: p.Scripts}
	if n.Scripts == nil {
		n.Scripts = map[string]string{}
	}
	var err error
	if n.NodeMajor, n.NodeVersionFrom, err = nodeMajor(ctx, src, p.Engines.Node); err != nil {
		return nil, err
	}
	if n.Lockfile, err = anyExists(ctx, src, "package-lock.json", "npm-shrinkwrap.json"); err != nil {
		return nil, err
	}
	if n.OtherLockfile, err = anyExists(ctx, src, "pnpm-lock.yaml", "yarn.lock", "bun.lockb", "bun.lock"); err != nil {
		return nil, err
	}
	if n.ESLintConfig, err = anyExists(ctx, src, "eslint.config.js", "eslint.config.mjs", "eslint.config.cjs",
		"eslint.config.ts", "eslint.config.mts", "eslint.config.cts", ".eslintrc.js", ".eslintrc.cjs", ".eslintrc.json",
		".eslintrc.yml", ".eslintrc.yaml", ".eslintrc"); err != nil {
		return nil, err
	}
	tsc, err := src.ReadFile(ctx, "tsconfig.json")
	if err == nil {
		n.TSConfig = true
		n.TSProjectReferences = hasReferences(tsc)
	} else if !isNotExist(err) {
		return nil, fmt.Errorf("reading tsconfig.json: %w", err)
	}
	for _, s := range []string{"test:integration", "integration", "test:e2e"} {
		if n.HasScript(s) {
			n.IntegrationScript = s
			break
		}
	}
	return n, nil
}

var firstMajor = regexp.MustCompile(`(\d+)`)

// nodeMajor picks the Node major version in the order tools like nvm, fnm and setup-node read them.
func nodeMajor(ctx context.Context, src Source, engines string) (major, from string, err error) {
	for _, f := range []string{".nvmrc", ".node-version"} {
		b, err := src.ReadFile(ctx, f)
		if isNotExist(err) {
			continue
		}
		if err != nil {
			return "", "", fmt.Errorf("reading %s: %w", f, err)
		}
		v := strings.TrimSpace(string(b))
		switch strings.ToLower(v) {
		case "lts/*", "lts", "node", "stable", "":
			return DefaultNodeMajor, f, nil
		}
		m := firstMajor.FindString(v)
		if m == "" {
			return "", "", fmt.Errorf("%s says %q: expected a Node version such as 20 or v20.11.1", f, v)
		}
		return m, f, nil
	}
	if engines != "" {
		if m := firstMajor.FindString(engines); m != "" {
			return m, "engines.node", nil
		}
	}
	return DefaultNodeMajor, "default", nil
}

// hasReferences reports whether a tsconfig declares project references. tsconfig allows comments and trailing
// commas, so a strict JSON parse is tried first and a tolerant scan second.
func hasReferences(tsconfig []byte) bool {
	var t struct {
		References []json.RawMessage `json:"references"`
	}
	if err := json.Unmarshal(tsconfig, &t); err == nil {
		return len(t.References) > 0
	}
	return regexp.MustCompile(`"references"\s*:\s*\[\s*\{`).Match(tsconfig)
}
