package greeter

import "testing"

func TestGreet(t *testing.T) {
	for in, want := range map[string]string{" ada ": "hello, ada", "": "hello, friend"} {
		if got := Greet(in); got != want {
			t.Errorf("Greet(%q) = %q, want %q", in, got, want)
		}
	}
}
