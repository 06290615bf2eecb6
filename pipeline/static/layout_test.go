package static_test

import (
	"strings"
	"testing"

	"github.com/pixelsandpetals/delivery/pipeline/static"
)

func TestFindAssets(t *testing.T) {
	image := func(dirs ...string) func(string) bool {
		return func(d string) bool {
			for _, x := range dirs {
				if x == d {
					return true
				}
			}
			return false
		}
	}
	for _, tc := range []struct {
		name                         string
		declared, by, workdir        string
		dirs                         []string
		wantDir, wantFrom, wantErr   string
		pattern, wantPrefix, prefErr string
	}{
		{name: "label", declared: "/app/dist/public/assets", by: "label " + static.AssetsLabel, workdir: "/app",
			dirs: []string{"/app/dist/public/assets"}, wantDir: "/app/dist/public/assets", pattern: "/assets/*", wantPrefix: "assets/"},
		{name: "relative declaration is under the workdir", declared: "build/static", by: "delivery.json", workdir: "/srv",
			dirs: []string{"/srv/build/static"}, wantDir: "/srv/build/static", pattern: "/static/*", wantPrefix: "static/"},
		{name: "declared but missing", declared: "/app/dist/assets", by: "delivery.json", workdir: "/app",
			wantErr: "delivery.json names /app/dist/assets, which is missing or empty in the image"},
		{name: "none", declared: "none", by: "delivery.json", wantDir: ""},
		{name: "Vite default", workdir: "/app", dirs: []string{"/app/dist/assets"}, wantDir: "/app/dist/assets",
			wantFrom: "Vite layout", pattern: "/assets/*", wantPrefix: "assets/"},
		{name: "Next.js needs its own pattern", workdir: "/app", dirs: []string{"/app/.next/static"},
			wantDir: "/app/.next/static", pattern: "/assets/*",
			prefErr: `the distribution serves only /assets/* from the bucket: set static_path_pattern = "/_next/static/*"`},
		{name: "Next.js with its pattern", workdir: "/app", dirs: []string{"/app/.next/static"},
			wantDir: "/app/.next/static", pattern: "/_next/static/*", wantPrefix: "_next/static/"},
		{name: "nothing found names every place looked", workdir: "/app",
			wantErr: "looked for /app/dist/assets (Vite), /app/.next/static (Next.js)"},
		{name: "not a directory pattern", workdir: "/app", dirs: []string{"/app/dist/assets"}, wantDir: "/app/dist/assets",
			pattern: "*.js", prefErr: `static path pattern "*.js" is not a directory pattern`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := static.FindAssets(tc.declared, tc.by, tc.workdir, image(tc.dirs...))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("want one line containing %q, got %v", tc.wantErr, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if l.Dir != tc.wantDir || (tc.wantFrom != "" && l.From != tc.wantFrom) {
				t.Errorf("layout %+v, want dir %q from %q", l, tc.wantDir, tc.wantFrom)
			}
			if tc.pattern == "" {
				return
			}
			prefix, err := l.KeyPrefix(tc.pattern)
			if tc.prefErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.prefErr) {
					t.Fatalf("want an error containing %q, got %v", tc.prefErr, err)
				}
				return
			}
			if err != nil || prefix != tc.wantPrefix {
				t.Errorf("KeyPrefix(%q) = %q, %v; want %q", tc.pattern, prefix, err, tc.wantPrefix)
			}
		})
	}
}
