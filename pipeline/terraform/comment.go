package terraform

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// GitHubCommentLimit is the maximum length of a GitHub issue or pull request comment.
const GitHubCommentLimit = 65536

// PlanComment renders the plan as a Markdown pull request comment of at most maxChars (≤ 0 or above the GitHub
// limit: GitHubCommentLimit). Destructive actions come first; when the table does not fit, it is cut with a note
// of how many resources are not shown.
func PlanComment(s PlanSummary, maxChars int) string {
	if maxChars <= 0 || maxChars > GitHubCommentLimit {
		maxChars = GitHubCommentLimit
	}
	var b strings.Builder
	b.WriteString("### Terraform plan\n\n")
	if s.Empty() {
		b.WriteString("No changes. The infrastructure matches the configuration.\n")
		return cut(b.String(), maxChars)
	}
	fmt.Fprintf(&b, "**%s**\n\n", s.Counts())
	if n := len(s.Destroy) + len(s.Replace); n > 0 {
		fmt.Fprintf(&b, "> [!WARNING]\n> %d resource(s) will be destroyed or replaced.\n\n", n)
	}
	b.WriteString("| action | resource |\n|---|---|\n")
	type row struct{ action, addr string }
	var rows []row
	for _, g := range []struct {
		action string
		addrs  []string
	}{{"destroy", s.Destroy}, {"replace", s.Replace}, {"change", s.Change}, {"add", s.Add}} {
		for _, a := range g.addrs {
			rows = append(rows, row{g.action, a})
		}
	}
	for i, r := range rows {
		line := fmt.Sprintf("| %s | `%s` |\n", r.action, strings.ReplaceAll(r.addr, "|", `\|`))
		rest := len(rows) - i
		note := fmt.Sprintf("\n_… %d more resource(s) not shown: a comment is limited to %d characters. The full plan is in the job log._\n", rest, maxChars)
		if b.Len()+len(line)+len(note) > maxChars {
			b.WriteString(note)
			break
		}
		b.WriteString(line)
	}
	return cut(b.String(), maxChars)
}

// cut is the last resort for limits too small for even the header; byte length bounds the character count.
func cut(s string, max int) string {
	if len(s) <= max {
		return s
	}
	s = s[:max]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
