package scan

import (
	"fmt"
	"strings"
)

// TopFindings is how many findings the summary lists.
const TopFindings = 10

// Summary is a short text for people: what was scanned, a severity × kind table, the worst findings (blocking ones
// marked with *) and the gate's result. Same report, same text.
func Summary(r *Report, v Verdict) string {
	var b strings.Builder
	if r != nil && r.ArtifactName != "" {
		fmt.Fprintf(&b, "Security scan of %s (%s)\n", r.ArtifactName, r.ArtifactType)
	} else {
		b.WriteString("Security scan\n")
	}

	counts := map[string]map[Kind]int{}
	for _, f := range v.Findings {
		if counts[f.Severity] == nil {
			counts[f.Severity] = map[Kind]int{}
		}
		counts[f.Severity][f.Kind]++
	}
	const row = "%-8s  %15v  %7v  %17v\n"
	fmt.Fprintf(&b, row, "severity", "vulnerabilities", "secrets", "misconfigurations")
	var total [3]int
	for _, sev := range Severities {
		c := counts[sev]
		n := [3]int{c[KindVulnerability], c[KindSecret], c[KindMisconfiguration]}
		for i := range n {
			total[i] += n[i]
		}
		fmt.Fprintf(&b, row, sev, n[0], n[1], n[2])
	}
	fmt.Fprintf(&b, row, "total", total[0], total[1], total[2])

	if len(v.Findings) > 0 {
		blocking := map[Finding]bool{}
		for _, f := range v.Blocking {
			blocking[f] = true
		}
		b.WriteString("Top findings (* blocks the gate):\n")
		for i, f := range v.Findings {
			if i == TopFindings {
				fmt.Fprintf(&b, "  … and %d more (see the JSON/SARIF report)\n", len(v.Findings)-TopFindings)
				break
			}
			mark := " "
			if blocking[f] {
				mark = "*"
			}
			fmt.Fprintf(&b, "%s %s\n", mark, f)
		}
	}

	gate := fmt.Sprintf("Gate %s", strings.Join(v.Policy.Severities, ","))
	if v.Policy.IgnoreUnfixed {
		gate += " (unfixed vulnerabilities ignored)"
	}
	switch {
	case v.invalid != nil:
		fmt.Fprintf(&b, "%s: FAILED — %v\n", gate, v.invalid)
	case len(v.Blocking) > 0:
		fmt.Fprintf(&b, "%s: FAILED — %d blocking %s\n", gate, len(v.Blocking), plural(len(v.Blocking), "finding"))
	default:
		fmt.Fprintf(&b, "%s: passed\n", gate)
	}
	if v.Unfixed > 0 {
		fmt.Fprintf(&b, "%d unfixed %s let through by --ignore-unfixed\n", v.Unfixed, plural(v.Unfixed, "vulnerability"))
	}
	return b.String()
}
