// Package greeter is a small library whose go.mod has no go directive.
package greeter

import "strings"

// Greet says hello to name, trimmed; an empty name is greeted as a friend.
func Greet(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		name = "friend"
	}
	return "hello, " + name
}
