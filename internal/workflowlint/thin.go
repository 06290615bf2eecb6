package workflowlint

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/rhysd/actionlint"
)

var (
	shaRef         = regexp.MustCompile(`@[0-9a-f]{40}$`)
	dockerDigest   = regexp.MustCompile(`^docker://[^@\s]+@sha256:[0-9a-f]{64}$`)
	versionComment = regexp.MustCompile(`#\s*v\d+\.\d+\.\d+`)

	setupActions = map[string]bool{
		"actions/checkout":                      true,
		"aws-actions/configure-aws-credentials": true,
		"dagger/dagger-for-github":              true, // install only; with call/args it is the Dagger call
	}
	publisherActions = map[string]bool{
		"marocchino/sticky-pull-request-comment": true,
		"github/codeql-action/upload-sarif":      true,
		"actions/upload-artifact":                true,
	}
	// outputCommands may appear in the one output run: step: posting a comment, writing the step summary.
	outputCommands = map[string]bool{
		"gh": true, "echo": true, "printf": true, "cat": true, "head": true, "tail": true, "tee": true,
		"test": true, "[": true, "[[": true, "true": true, ":": true,
	}
)

// thin applies the pinning and thin-wrapper rules to one workflow file. Files actionlint cannot parse yield nothing
// here: actionlint already reports them.
func thin(file string, src []byte) []Finding {
	wf, _ := actionlint.Parse(src)
	if wf == nil {
		return nil
	}
	lines := strings.Split(string(src), "\n")
	var out []Finding
	jobs := make([]*actionlint.Job, 0, len(wf.Jobs))
	for _, j := range wf.Jobs {
		if j != nil && j.ID != nil {
			jobs = append(jobs, j)
		}
	}
	sort.Slice(jobs, func(a, b int) bool { return jobs[a].Pos.Line < jobs[b].Pos.Line })
	for _, j := range jobs {
		c := &checker{file: file, job: j.ID.Value, lines: lines}
		if j.WorkflowCall != nil {
			c.pinned(j.WorkflowCall.Uses, "")
		} else {
			c.steps(j)
		}
		out = append(out, c.out...)
	}
	return out
}

type checker struct {
	file, job string
	lines     []string
	out       []Finding
}

func (c *checker) add(rule string, pos *actionlint.Pos, step, format string, args ...any) {
	where := fmt.Sprintf("job %q", c.job)
	if step != "" {
		where += ", step " + step
	}
	f := Finding{File: c.file, Rule: rule, Severity: SeverityError, Job: c.job, Step: step,
		Message: where + ": " + fmt.Sprintf(format, args...)}
	if pos != nil {
		f.Line, f.Column = pos.Line, pos.Col
	}
	c.out = append(c.out, f)
}

// pinned reports a `uses:` that is not a full commit SHA with a `# vX.Y.Z` comment on its line.
func (c *checker) pinned(uses *actionlint.String, step string) {
	if uses == nil {
		return
	}
	u := uses.Value
	switch {
	case strings.HasPrefix(u, "./"):
	case strings.HasPrefix(u, "docker://"):
		if !dockerDigest.MatchString(u) {
			c.add(RulePinned, uses.Pos, step, "%s is not pinned by digest: use docker://image@sha256:<digest>", u)
		}
	case !shaRef.MatchString(u):
		c.add(RulePinned, uses.Pos, step, "%s is not pinned to a commit SHA: use <action>@<40-hex sha> # vX.Y.Z (tags can be moved)", u)
	default:
		if l := uses.Pos.Line; l >= 1 && l <= len(c.lines) && !versionComment.MatchString(c.lines[l-1]) {
			c.add(RulePinned, uses.Pos, step, "%s has no `# vX.Y.Z` comment naming the pinned version", u)
		}
	}
}

func (c *checker) steps(j *actionlint.Job) {
	var daggerAt, outputAt string
	for i, s := range j.Steps {
		name := stepName(i, s)
		switch e := s.Exec.(type) {
		case *actionlint.ExecAction:
			c.pinned(e.Uses, name)
			action := actionName(e.Uses)
			switch {
			case action == "dagger/dagger-for-github" && (hasInput(e, "call") || hasInput(e, "args")):
				c.daggerCall(s, name, 1, &daggerAt)
			case setupActions[action]:
			case publisherActions[action]:
				c.output(s, name, &outputAt)
			default:
				c.add(RuleThin, s.Pos, name, "action %s is neither set-up nor a result publisher: do this work in the Dagger module", action)
			}
		case *actionlint.ExecRun:
			cmds := commands(e.Run.Value)
			var daggers int
			var others []string
			for _, cmd := range cmds {
				if cmd == "dagger" {
					daggers++
				} else {
					others = append(others, cmd)
				}
			}
			switch {
			case daggers > 0 && len(others) > 0:
				c.add(RuleThin, s.Pos, name, "the Dagger call step also runs %s: the step must be the `dagger` command alone", quoteAll(others))
				c.daggerCall(s, name, daggers, &daggerAt)
			case daggers > 0:
				c.daggerCall(s, name, daggers, &daggerAt)
			case allOutput(cmds):
				c.output(s, name, &outputAt)
			default:
				c.add(RuleThin, s.Pos, name, "runs %s outside Dagger: move it into the module (a run: step may only call dagger or publish results)", quoteAll(notOutput(cmds)))
			}
		}
	}
	if daggerAt == "" && len(j.Steps) > 0 {
		c.add(RuleThin, j.Pos, "", "no Dagger call: a job is set-up, one Dagger call and at most one output step")
	}
}

func (c *checker) daggerCall(s *actionlint.Step, name string, n int, first *string) {
	switch {
	case *first != "":
		c.add(RuleThin, s.Pos, name, "second Dagger call (the first is step %s): one job makes one Dagger call; compose the stages in the module", *first)
	case n > 1:
		c.add(RuleThin, s.Pos, name, "%d Dagger calls in one step: one job makes one Dagger call; compose the stages in the module", n)
	}
	if *first == "" {
		*first = name
	}
}

func (c *checker) output(s *actionlint.Step, name string, first *string) {
	if *first != "" {
		c.add(RuleThin, s.Pos, name, "second output step (the first is step %s): at most one step publishes results", *first)
		return
	}
	*first = name
}

func stepName(i int, s *actionlint.Step) string {
	label := ""
	switch {
	case s.Name != nil:
		label = s.Name.Value
	case s.ID != nil:
		label = s.ID.Value
	default:
		switch e := s.Exec.(type) {
		case *actionlint.ExecAction:
			label = actionName(e.Uses)
		case *actionlint.ExecRun:
			label, _, _ = strings.Cut(strings.TrimSpace(e.Run.Value), "\n")
		}
	}
	return fmt.Sprintf("%d %q", i+1, label)
}

// actionName is owner/repo[/path] of a `uses:` value, lower-cased, without the ref.
func actionName(uses *actionlint.String) string {
	if uses == nil {
		return ""
	}
	name, _, _ := strings.Cut(uses.Value, "@")
	return strings.ToLower(name)
}

func hasInput(e *actionlint.ExecAction, name string) bool {
	in, ok := e.Inputs[name]
	return ok && in != nil && in.Value != nil && strings.TrimSpace(in.Value.Value) != ""
}

func allOutput(cmds []string) bool { return len(notOutput(cmds)) == 0 }

func notOutput(cmds []string) []string {
	var out []string
	for _, c := range cmds {
		if !outputCommands[c] {
			out = append(out, c)
		}
	}
	return out
}

func quoteAll(cmds []string) string {
	seen := map[string]bool{}
	var q []string
	for _, c := range cmds {
		if !seen[c] {
			seen[c] = true
			q = append(q, "`"+c+"`")
		}
	}
	return strings.Join(q, ", ")
}
