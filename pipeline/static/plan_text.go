package static

import (
	"fmt"
	"strings"
)

// maxListed bounds each section of Plan.String, so a dry run of a 5,000-file first publish stays readable (and
// fits a pull-request comment).
const maxListed = 50

// String is the dry run: the plan in execution order, readable in a terminal or a pull-request comment.
func (p *Plan) String() string {
	var b strings.Builder
	target := "s3://" + p.Bucket + "/" + p.Prefix
	if p.Empty() {
		fmt.Fprintf(&b, "static publish to %s: nothing to do (%d files unchanged)\n", target, p.Unchanged)
		return b.String()
	}
	fmt.Fprintf(&b, "static publish to %s: upload %d assets and %d HTML files (%s), delete %d, %d unchanged\n",
		target, len(p.Assets), len(p.HTML), size(p.Bytes()), len(p.Deletes), p.Unchanged)
	uploads := func(title string, us []Upload) {
		if len(us) == 0 {
			return
		}
		fmt.Fprintf(&b, "%s (%d):\n", title, len(us))
		for i, u := range us {
			if i == maxListed {
				fmt.Fprintf(&b, "  … and %d more\n", len(us)-maxListed)
				break
			}
			mark := "~"
			if u.Reason == ReasonNew {
				mark = "+"
			}
			fmt.Fprintf(&b, "  %s %s  %s  %s  [%s]\n", mark, u.Key, size(u.Size), u.Reason, u.CacheControl)
		}
	}
	uploads("1. assets", p.Assets)
	uploads("2. HTML, after every asset is in place", p.HTML)
	if len(p.Deletes) > 0 {
		fmt.Fprintf(&b, "3. delete stale objects, after the HTML switch (%d):\n", len(p.Deletes))
		for i, k := range p.Deletes {
			if i == maxListed {
				fmt.Fprintf(&b, "  … and %d more\n", len(p.Deletes)-maxListed)
				break
			}
			fmt.Fprintf(&b, "  - %s\n", k)
		}
	}
	if len(p.Invalidate) > 0 {
		fmt.Fprintf(&b, "4. invalidate (%d): %s\n", len(p.Invalidate), strings.Join(p.Invalidate, " "))
	} else {
		b.WriteString("4. no invalidation needed: only new names\n")
	}
	return b.String()
}

func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
