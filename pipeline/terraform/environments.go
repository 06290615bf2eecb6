package terraform

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Environments lists the environments of a Terraform directory: the names of environments/*.tfvars, sorted.
func Environments(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "environments", "*.tfvars"))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ".tfvars"))
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no environments in %s: expected environments/<name>.tfvars files", dir)
	}
	slices.Sort(names)
	return names, nil
}

// CheckEnvironment fails with one line naming the valid choices when env has no var file in dir.
func CheckEnvironment(dir, env string) error {
	names, err := Environments(dir)
	if err != nil {
		return err
	}
	if slices.Contains(names, env) {
		return nil
	}
	return fmt.Errorf("unknown environment %q: choose one of %s", env, strings.Join(names, ", "))
}

// VarFile is the var file of env, relative to the Terraform directory.
func VarFile(env string) string { return filepath.Join("environments", env+".tfvars") }

// BackendFile is the backend configuration of env, relative to the Terraform directory.
func BackendFile(env string) string { return filepath.Join("environments", env+".backend.hcl") }

// BackendSettings reads the top-level `key = "value"` settings of an environment's backend file: the state
// bucket, lock table and region that bootstrap creates and the deploy lock uses.
func BackendSettings(dir, env string) (map[string]string, error) {
	f, err := os.Open(filepath.Join(dir, BackendFile(env)))
	if err != nil {
		return nil, fmt.Errorf("environment %s has no backend file %s", env, BackendFile(env))
	}
	defer func() { _ = f.Close() }() // read-only: a close error cannot lose data
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok || strings.HasPrefix(strings.TrimSpace(k), "#") {
			continue
		}
		out[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"`)
	}
	return out, sc.Err()
}
