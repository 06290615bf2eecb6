package terraform

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestPlanComment_DestructiveRowsFirst(t *testing.T) {
	c := PlanComment(PlanSummary{
		Add:     []string{"aws_s3_bucket.new"},
		Destroy: []string{"aws_db_instance.old"},
		Replace: []string{`aws_lb_target_group.app["a|b"]`},
	}, 0)
	for _, want := range []string{"**1 to add, 0 to change, 1 to destroy, 1 to replace**", "[!WARNING]", "| destroy | `aws_db_instance.old` |",
		"| replace | `aws_lb_target_group.app[\"a\\|b\"]` |"} {
		if !strings.Contains(c, want) {
			t.Errorf("comment should contain %q:\n%s", want, c)
		}
	}
	if strings.Index(c, "destroy |") > strings.Index(c, "add |") {
		t.Errorf("destroy rows should precede add rows:\n%s", c)
	}
}

func TestPlanComment_NoChanges(t *testing.T) {
	if c := PlanComment(PlanSummary{}, 0); !strings.Contains(c, "No changes") {
		t.Errorf("got %q", c)
	}
}

func TestPlanComment_TruncatesUnderTheGitHubLimitWithANote(t *testing.T) {
	var s PlanSummary
	for i := 0; i < 5000; i++ {
		s.Add = append(s.Add, fmt.Sprintf(`module.app.aws_route53_record.validation["host-%04d.pixelsandpetals.com"]`, i))
	}
	full := PlanComment(s, 1<<30)
	if len(full) > GitHubCommentLimit {
		t.Fatalf("a limit above GitHub's must be clamped: %d chars", len(full))
	}
	if !strings.Contains(full, "more resource(s) not shown") || !strings.Contains(full, "65536 characters") {
		t.Errorf("a cut comment must say so:\n%s", full[len(full)-300:])
	}
	small := PlanComment(s, 2000)
	if len(small) > 2000 || !strings.Contains(small, "not shown") {
		t.Errorf("len %d, note present %v", len(small), strings.Contains(small, "not shown"))
	}
	shown := strings.Count(small, "| add |")
	if !strings.Contains(small, fmt.Sprintf("… %d more", 5000-shown)) {
		t.Errorf("the note should count the %d hidden rows:\n%s", 5000-shown, small)
	}
	if tiny := PlanComment(s, 10); len(tiny) > 10 || !utf8.ValidString(tiny) {
		t.Errorf("tiny limit: %q", tiny)
	}
}
