package static_test

import (
	"testing"

	"github.com/pixelsandpetals/delivery/pipeline/static"
)

func TestIsHashed_BundlerNamesYesWordsAndVersionsNo(t *testing.T) {
	for name, want := range map[string]bool{
		"assets/app.3e226f5c.css":      true,  // webpack hex
		"chunk-ABCD1234.js":            true,  // esbuild base32
		"assets/index-BXjR4k2a.js":     true,  // Rollup/Vite
		"main.3e226f5c9a1b2c3d4e5f.js": true,  // long hex
		"logo.a1b2c3d4.svg":            true,  // hex
		"bootstrap5.min.css":           false, // a word with a digit, not hex
		"html5shiv.js":                 false,
		"report-20240101.pdf":          false, // digits only: a date
		"jquery-3.7.1.min.js":          false, // a version
		"favicon.ico":                  false,
		"deadbeef.js":                  false, // hex letters without a digit: a word
		"app.3e226f5c":                 false, // the hash is the extension, not a name segment
		"MyWidget2.js":                 false, // mixed case longer than Rollup's 8
	} {
		if got := static.IsHashed(name); got != want {
			t.Errorf("IsHashed(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestHeaders_DefaultsAndFirstMatchWins(t *testing.T) {
	d := static.DefaultHeaders()
	for _, c := range []struct{ rel, ct, cc string }{
		{"index.html", "text/html; charset=utf-8", static.NoCache},
		{"docs/index.html", "text/html; charset=utf-8", static.NoCache},
		{"app.3e226f5c.html", "text/html; charset=utf-8", static.NoCache}, // HTML is never immutable
		{"assets/app.3e226f5c.css", "text/css; charset=utf-8", static.Immutable},
		{"chunk-ABCD1234.js", "text/javascript; charset=utf-8", static.Immutable},
		{"mod.1a2b3c4d.mjs", "text/javascript; charset=utf-8", static.Immutable},
		{"app.js", "text/javascript; charset=utf-8", static.ShortCache},
		{"data.json", "application/json", static.ShortCache},
		{"logo.svg", "image/svg+xml", static.ShortCache},
		{"a.png", "image/png", static.ShortCache},
		{"A.JPG", "image/jpeg", static.ShortCache},
		{"a.webp", "image/webp", static.ShortCache},
		{"f.woff2", "font/woff2", static.ShortCache},
		{"favicon.ico", "image/x-icon", static.ShortCache},
		{"robots.txt", "text/plain; charset=utf-8", static.ShortCache},
		{"app.js.map", "application/json", static.ShortCache},
		{"sitemap.xml", "application/xml", static.ShortCache},
		{"app.wasm", "application/wasm", static.ShortCache},
		{"LICENSE", static.Fallback, static.ShortCache},
	} {
		ct, cc := d.For(c.rel)
		if ct != c.ct || cc != c.cc {
			t.Errorf("%s: got %q, %q; want %q, %q", c.rel, ct, cc, c.ct, c.cc)
		}
	}
	var zero static.Headers
	if ct, cc := zero.For("index.html"); ct != "text/html; charset=utf-8" || cc != static.NoCache {
		t.Errorf("zero Headers should be the defaults, got %q %q", ct, cc)
	}

	onlyTypes := static.Headers{Types: map[string]string{".avif": "image/avif"}}
	if _, cc := onlyTypes.For("index.html"); cc != static.NoCache {
		t.Errorf("adding a type must keep the default rules, got %q", cc)
	}
	if _, cc := onlyTypes.For("a.avif"); cc != static.ShortCache {
		t.Errorf("adding a type must keep the default Cache-Control, got %q", cc)
	}
	none := static.Headers{Rules: []static.Rule{}, Default: "max-age=1"}
	if _, cc := none.For("index.html"); cc != "max-age=1" {
		t.Errorf("an empty rule list means no rules, got %q", cc)
	}

	custom := static.Headers{
		Rules: []static.Rule{
			{Glob: "fonts/*", CacheControl: "public, max-age=86400"},
			{Glob: "*.woff2", CacheControl: "never reached for fonts/"},
			{Glob: "*.feed", CacheControl: "no-store", ContentType: "application/atom+xml"},
		},
		Default: "public, max-age=60",
		Types:   map[string]string{".avif": "image/avif-custom"},
	}
	for _, c := range []struct{ rel, ct, cc string }{
		{"fonts/a.woff2", "font/woff2", "public, max-age=86400"},
		{"other/a.woff2", "font/woff2", "never reached for fonts/"},
		{"news.feed", "application/atom+xml", "no-store"},
		{"a.avif", "image/avif-custom", "public, max-age=60"},
	} {
		ct, cc := custom.For(c.rel)
		if ct != c.ct || cc != c.cc {
			t.Errorf("custom %s: got %q, %q; want %q, %q", c.rel, ct, cc, c.ct, c.cc)
		}
	}
}
