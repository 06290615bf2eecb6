package checks

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestReport_AllPassedIsNoError(t *testing.T) {
	r := &Report{Results: []Result{{Stage: "lint", Status: Passed}, {Stage: "test", Status: Skipped, Note: "no tests"}}}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if s := r.Summary(); !strings.Contains(s, "skipped") || !strings.Contains(s, "no tests") {
		t.Errorf("summary should explain the skip:\n%s", s)
	}
}

func TestReport_ErrorNamesEveryFailingStageWithExcerpt(t *testing.T) {
	var long []string
	for i := 0; i < 40; i++ {
		long = append(long, fmt.Sprintf("line %d", i))
	}
	r := &Report{Results: []Result{
		{Stage: "lint", Status: Failed, ExitCode: 1, Command: "eslint .", Output: "src/a.ts\n  2:7 error 'x' is never reassigned  prefer-const\n"},
		{Stage: "typecheck", Status: Passed},
		{Stage: "test", Status: Failed, ExitCode: 1, Command: "npm test", Output: strings.Join(long, "\n")},
	}}
	err := r.Err()
	var ce *Error
	if !errors.As(err, &ce) || strings.Join(ce.Stages, ",") != "lint,test" {
		t.Fatalf("err %v", err)
	}
	msg := err.Error()
	for _, want := range []string{"check failed: lint, test", "prefer-const", "line 14", "… 25 more lines", "lint failed (exit 1): eslint ."} {
		if !strings.Contains(msg, want) {
			t.Errorf("error should contain %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "line 15") {
		t.Errorf("excerpt should stop after %d lines", ExcerptLines)
	}
}

func TestReport_InstallFailureMarksStagesNotRun(t *testing.T) {
	r := &Report{Results: []Result{
		{Stage: "install", Status: Failed, Note: "no package-lock.json"},
		{Stage: "lint", Status: NotRun, Note: "install failed"},
	}}
	msg := r.Err().Error()
	if !strings.HasPrefix(msg, "check failed: install, lint") || !strings.Contains(msg, "install failed: no package-lock.json") {
		t.Errorf("unexpected:\n%s", msg)
	}
}

func TestReport_SortKeepsTheDeclaredOrder(t *testing.T) {
	r := &Report{Results: []Result{{Stage: "test"}, {Stage: "zz"}, {Stage: "lint"}, {Stage: "typecheck"}}}
	r.Sort("lint", "typecheck", "test")
	var got []string
	for _, x := range r.Results {
		got = append(got, x.Stage)
	}
	if strings.Join(got, ",") != "lint,typecheck,test,zz" {
		t.Errorf("order %v", got)
	}
}
