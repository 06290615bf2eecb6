package main

import (
	"context"

	"github.com/pixelsandpetals/delivery/internal/dagger"
	"github.com/pixelsandpetals/delivery/pipeline/checks"
	"github.com/pixelsandpetals/delivery/pipeline/toolchain"
)

// ActionlintImage is pinned like every tool image; it carries shellcheck, which actionlint runs on every
// `run:` script.
const ActionlintImage = "rhysd/actionlint:1.7.12"

// workflowsStage is the stage name of the GitHub Actions lint in check's summary.
const workflowsStage = "workflows"

// workflowsCheck runs actionlint (with shellcheck) on the source's GitHub Actions workflows: a broken workflow
// is otherwise only found when it runs on main.
func (m *Delivery) workflowsCheck(ctx context.Context) checks.Result {
	res := checks.Result{Stage: workflowsStage}
	var files []string
	for _, pattern := range []string{".github/workflows/*.yml", ".github/workflows/*.yaml"} {
		found, err := m.Source.Glob(ctx, pattern)
		if err != nil {
			res.Status, res.Note = checks.Failed, "listing .github/workflows: "+firstLine(err)
			return res
		}
		files = append(files, found...)
	}
	if len(files) == 0 {
		res.Status, res.Note = checks.Skipped, "no .github/workflows/*.yml in the source"
		return res
	}
	c := dag.Container().From(ActionlintImage).WithoutEntrypoint().
		WithDirectory("/src", m.Source, dagger.ContainerWithDirectoryOpts{Include: []string{".github/"}}).
		WithWorkdir("/src")
	step := toolchain.Step{Name: workflowsStage, Command: append([]string{"actionlint", "-no-color"}, files...)}
	res.Command = "actionlint (with shellcheck) .github/workflows"
	_, res = exec(ctx, c, step, res)
	return res
}
