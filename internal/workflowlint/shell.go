package workflowlint

import (
	"regexp"
	"strings"
)

var assignment = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)

// prefixes and closers are shell words that are not commands: what follows a prefix is the command.
var (
	prefixes = map[string]bool{"if": true, "then": true, "else": true, "elif": true, "do": true, "!": true, "time": true, "{": true}
	closers  = map[string]bool{"fi": true, "done": true, "esac": true, "}": true}
)

// commands lists the command name of each simple command in a run: script, in order. It is a small scanner, not a
// shell parser: it honours quotes, comments, line continuations and ${…}/$(…) nesting, and splits on newlines,
// ; & && | || ( and ). Good enough to tell `dagger call check` from `npm ci && dagger call check`.
func commands(script string) []string {
	var (
		cmds   []string
		cur    strings.Builder
		quote  rune
		depth  int
		prev   rune
		escape bool
	)
	flush := func() {
		if name := commandName(cur.String()); name != "" {
			cmds = append(cmds, name)
		}
		cur.Reset()
	}
	rs := []rune(script)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case escape:
			escape = false
			if r == '\n' { // line continuation
				r = ' '
			}
		case r == '\\' && quote != '\'':
			escape = true
			prev = r
			continue
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '$' && i+1 < len(rs) && (rs[i+1] == '{' || rs[i+1] == '('):
			depth++
			cur.WriteRune(r)
			cur.WriteRune(rs[i+1])
			i++
			prev = rs[i]
			continue
		case depth > 0 && (r == '}' || r == ')'):
			depth--
		case depth > 0:
		case r == '#' && (prev == 0 || prev == ' ' || prev == '\t' || prev == '\n' || prev == ';'):
			for i < len(rs) && rs[i] != '\n' {
				i++
			}
			flush()
			prev = '\n'
			continue
		case r == '\n' || r == ';' || r == '(' || r == ')' || r == '|':
			flush()
			prev = r
			continue
		case r == '&' && prev != '>' && prev != '<':
			flush()
			prev = r
			continue
		}
		cur.WriteRune(r)
		prev = r
	}
	flush()
	return cmds
}

func commandName(cmd string) string {
	for _, w := range strings.Fields(cmd) {
		switch {
		case assignment.MatchString(w), prefixes[w]:
			continue
		case closers[w]:
			return ""
		}
		return strings.Trim(w, `"'`)
	}
	return ""
}
