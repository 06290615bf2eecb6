// Package workflowlint lints this repository's GitHub Actions workflows: actionlint (as a library, with shellcheck
// when it is on PATH) plus this project's thin-wrapper rule, which keeps CI a thin shell around the Dagger module.
// It is the project's own policy, run by its tests, not a stage of the module: users' repositories keep workflows
// of their own that such a rule has no business refusing (the module's workflows stage runs actionlint only).
//
// # Pinning
//
// Every `uses:` (step or reusable workflow) names a full 40-hex commit SHA, e.g.
// `actions/checkout@<sha> # v6.0.2`, and its line carries a `# vX.Y.Z` comment so people and Dependabot can read
// the version. Local actions (`./…`) and `docker://image@sha256:<64 hex>` are allowed.
//
// # The thin-wrapper rule
//
// Each step of a job is one of:
//   - set-up: `uses:` actions/checkout, aws-actions/configure-aws-credentials, or dagger/dagger-for-github without
//     `call`/`args` (install only);
//   - the Dagger call: dagger/dagger-for-github with `call` or `args`, or a `run:` step whose script is one `dagger`
//     command (line continuations and leading VAR=value assignments allowed, nothing else);
//   - output: `uses:` a result publisher (sticky PR comment, SARIF upload, artifact upload), or a `run:` step that
//     only uses gh, echo, printf, cat, head, tail and tee (posting a comment, writing $GITHUB_STEP_SUMMARY).
//
// A job has exactly one Dagger call (one `dagger` command in all its steps) and at most one output step. Any other
// step — npm, go, terraform, the AWS CLI, curl, or an action that is neither set-up nor a publisher — is a finding
// naming the file, job, step and why: that work belongs in the module, where it runs the same locally and in CI.
// Jobs that call a reusable workflow (`jobs.<id>.uses`) are only checked for pinning.
//
// Findings print as `file:line: message`.
package workflowlint
