package terraform

import "errors"

// The argv builders below are the one definition of how the pipeline calls terraform. Runner runs them with a
// host binary (its tests, callers without Dagger); the Dagger module runs them in the pinned terraform image.

// InitArgs is `terraform init`'s arguments for b. The committed .terraform.lock.hcl is read-only: the pipeline
// never changes provider versions or checksums behind a reviewer's back. -reconfigure: a working directory
// initialised for another environment must never offer to migrate its state.
func InitArgs(b Backend) ([]string, error) {
	args := []string{"init", "-input=false", "-no-color", "-lockfile=readonly", "-reconfigure"}
	if b.Disabled {
		return append(args, "-backend=false"), nil
	}
	if b.ConfigFile == "" && len(b.Settings) == 0 {
		return nil, errors.New("terraform init: no backend configuration: pass environments/<env>.backend.hcl (or Disabled for validate-only runs)")
	}
	if b.ConfigFile != "" {
		args = append(args, "-backend-config="+b.ConfigFile)
	}
	for _, k := range sortedKeys(b.Settings) {
		args = append(args, "-backend-config="+k+"="+b.Settings[k])
	}
	return args, nil
}

// PlanArgs is `terraform plan`'s arguments: the environment's var file, then each -var override in order (later
// wins), the plan written to outPlan. State locks held by another run are waited for up to LockTimeout.
func PlanArgs(varFile, outPlan string, vars []string) []string {
	args := []string{"plan", "-input=false", "-no-color", "-lock-timeout=" + LockTimeout.String(), "-var-file=" + varFile}
	for _, v := range vars {
		args = append(args, "-var", v)
	}
	return append(args, "-out="+outPlan)
}

// ApplyArgs is `terraform apply` of exactly the reviewed plan file.
func ApplyArgs(planFile string) []string {
	return []string{"apply", "-input=false", "-no-color", "-lock-timeout=" + LockTimeout.String(), planFile}
}

// VarList turns -var overrides given as a map into PlanArgs' list, in name order so argv is stable.
func VarList(vars map[string]string) []string {
	out := make([]string, 0, len(vars))
	for _, k := range sortedKeys(vars) {
		out = append(out, k+"="+vars[k])
	}
	return out
}
