package terraform

import "strings"

// ErrorLine is terraform's failure as one line: the first "Error:" diagnostic with the first sentence of its
// detail, e.g. "Saved plan is stale: The given plan file can no longer be applied because the state was changed
// by another operation after the plan was created." Terraform explains itself in a paragraph under the summary;
// a user reading a pipeline failure needs the summary and its reason, not the tool's whole log. Empty when the
// output holds no error diagnostic.
func ErrorLine(output string) string {
	lines := strings.Split(output, "\n")
	for i, l := range lines {
		l = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(l), "│╷╵"))
		summary, ok := strings.CutPrefix(l, "Error: ")
		if !ok {
			continue
		}
		var detail []string
		for _, d := range lines[i+1:] {
			d = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(d), "│╷╵"))
			if d == "" {
				if len(detail) > 0 {
					break
				}
				continue
			}
			if strings.HasPrefix(d, "Error: ") || strings.HasPrefix(d, "with ") || strings.HasPrefix(d, "on ") {
				break
			}
			detail = append(detail, d)
		}
		text := strings.Join(detail, " ")
		if end := strings.Index(text, ". "); end >= 0 {
			text = text[:end+1]
		}
		if text == "" {
			return strings.TrimSpace(summary)
		}
		return strings.TrimSpace(summary) + ": " + text
	}
	return ""
}
