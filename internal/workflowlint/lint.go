package workflowlint

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rhysd/actionlint"
)

// Severity of a finding. Notices (e.g. "shellcheck was not run") never fail a check.
type Severity string

const (
	SeverityError  Severity = "error"
	SeverityNotice Severity = "notice"
)

// Rule names of this package's own findings; actionlint findings carry actionlint's rule kind (e.g. "expression").
const (
	RulePinned     = "pinned-sha"
	RuleThin       = "thin-wrapper"
	RuleShellcheck = "shellcheck-missing"
)

// Finding is one problem in one workflow file.
type Finding struct {
	File     string
	Line     int
	Column   int
	Rule     string
	Severity Severity
	Job      string // thin-wrapper and pinning findings only
	Step     string // e.g. `2 "dagger call check"`
	Message  string
}

// String is `file:line: message`.
func (f Finding) String() string {
	msg := f.Message
	if f.Severity == SeverityNotice {
		msg = "note: " + msg
	}
	if f.Line == 0 {
		return fmt.Sprintf("%s: %s", f.File, msg)
	}
	return fmt.Sprintf("%s:%d: %s", f.File, f.Line, msg)
}

// Errors keeps the findings that fail a check.
func Errors(fs []Finding) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Severity == SeverityError {
			out = append(out, f)
		}
	}
	return out
}

// Lint checks every *.yml/*.yaml file under dir with actionlint (shellcheck included when it is on PATH; when it is
// not, one Notice says so) and with the pinning and thin-wrapper rules. Findings are sorted by file and line; the
// error is for unreadable input only.
func Lint(dir string) ([]Finding, error) {
	var findings []Finding
	shellcheck, _ := exec.LookPath("shellcheck")
	if shellcheck == "" {
		findings = append(findings, Finding{File: dir, Rule: RuleShellcheck, Severity: SeverityNotice,
			Message: "shellcheck is not on PATH: run: scripts were not checked (apt-get install shellcheck)"})
	}
	l, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{
		Shellcheck: shellcheck,
		LogWriter:  io.Discard,
		Color:      actionlint.ColorOptionKindNever,
	})
	if err != nil {
		return nil, err
	}
	errs, err := l.LintDir(dir, nil)
	if err != nil {
		return nil, err
	}
	for _, e := range errs {
		findings = append(findings, Finding{File: e.Filepath, Line: e.Line, Column: e.Column, Rule: e.Kind,
			Severity: SeverityError, Message: fmt.Sprintf("%s [%s]", e.Message, e.Kind)})
	}

	files, err := yamlFiles(dir)
	if err != nil {
		return nil, err
	}
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		findings = append(findings, thin(displayPath(path), src)...)
	}
	sort.SliceStable(findings, func(i, j int) bool {
		if findings[i].File != findings[j].File {
			return findings[i].File < findings[j].File
		}
		return findings[i].Line < findings[j].Line
	})
	return findings, nil
}

func yamlFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(path, ".yml") || strings.HasSuffix(path, ".yaml")) {
			files = append(files, path)
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}

// displayPath makes a path relative to the working directory, as actionlint does, so both agree on file names.
func displayPath(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return path
	}
	if rel, err := filepath.Rel(wd, abs); err == nil {
		return rel
	}
	return path
}
