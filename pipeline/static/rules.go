package static

import (
	"mime"
	"path"
	"strings"
)

// Cache-Control values of the default rules.
const (
	// Immutable is for content-hashed names: a changed file gets a new name, so a cached copy never goes stale.
	Immutable = "public, max-age=31536000, immutable"
	// NoCache makes browsers and CloudFront revalidate HTML on every request, so a switch is seen at once.
	NoCache = "no-cache"
	// ShortCache is the default for everything else: names that are reused with new content (favicon.ico,
	// robots.txt, images referenced by fixed URLs).
	ShortCache = "public, max-age=300"
)

// Rule gives Cache-Control (and optionally Content-Type) to the keys it matches.
type Rule struct {
	// Glob is a path.Match pattern. Without a slash it is matched against the file's base name ("*.html"),
	// with one against the whole path below the prefix ("fonts/*").
	Glob string
	// Hashed matches content-hashed names instead (see IsHashed); Glob is then ignored.
	Hashed bool
	// CacheControl is the header for matching files.
	CacheControl string
	// ContentType, when set, overrides the type derived from the extension.
	ContentType string
}

// Headers decide the Content-Type and Cache-Control of every file. Unset fields take DefaultHeaders' values.
type Headers struct {
	// Rules are tried in order; the first match wins. nil: the default rules; []Rule{}: none.
	Rules []Rule
	// Default is the Cache-Control of files no rule matches.
	Default string
	// Types maps extensions (".avif") to Content-Types, over the built-in table.
	Types map[string]string
}

// DefaultHeaders: HTML is revalidated on every request, content-hashed assets are cached for a year, the rest
// for five minutes. HTML comes first on purpose: it is the entry point that switches a release, so even an HTML
// file whose name looks hashed must never be cached as immutable.
func DefaultHeaders() Headers {
	return Headers{
		Rules: []Rule{
			{Glob: "*.html", CacheControl: NoCache},
			{Glob: "*.htm", CacheControl: NoCache},
			{Hashed: true, CacheControl: Immutable},
		},
		Default: ShortCache,
	}
}

// orDefault fills what is unset: nil Rules are the default rules (an empty, non-nil slice means none), an empty
// Default is ShortCache. So adding one extension to Types keeps the default caching.
func (h Headers) orDefault() Headers {
	d := DefaultHeaders()
	if h.Rules == nil {
		h.Rules = d.Rules
	}
	if h.Default == "" {
		h.Default = d.Default
	}
	return h
}

// For returns the Content-Type and Cache-Control of rel, a slash path below the prefix.
func (h Headers) For(rel string) (contentType, cacheControl string) {
	h = h.orDefault()
	contentType = h.typeOf(rel)
	cacheControl = h.Default
	for _, r := range h.Rules {
		if !r.matches(rel) {
			continue
		}
		cacheControl = r.CacheControl
		if r.ContentType != "" {
			contentType = r.ContentType
		}
		break
	}
	return contentType, cacheControl
}

func (r Rule) matches(rel string) bool {
	if r.Hashed {
		return IsHashed(rel)
	}
	name := rel
	if !strings.Contains(r.Glob, "/") {
		name = path.Base(rel)
	}
	ok, err := path.Match(r.Glob, name)
	return ok && err == nil
}

// contentTypes is the built-in Content-Type table. It does not depend on the host's mime database, so a publish from a
// laptop and from CI give every file the same headers (and so do not re-upload everything when the host changes).
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8",
	".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
	".json": "application/json", ".map": "application/json", ".webmanifest": "application/manifest+json",
	".xml": "application/xml", ".txt": "text/plain; charset=utf-8", ".md": "text/markdown; charset=utf-8",
	".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
	".webp": "image/webp", ".avif": "image/avif", ".ico": "image/x-icon",
	".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf", ".otf": "font/otf",
	".wasm": "application/wasm", ".pdf": "application/pdf", ".mp4": "video/mp4", ".webm": "video/webm",
}

// Fallback is the Content-Type of files with an unknown extension: browsers download rather than render them.
const Fallback = "application/octet-stream"

func (h Headers) typeOf(rel string) string {
	ext := strings.ToLower(path.Ext(rel))
	if t, ok := h.Types[ext]; ok {
		return t
	}
	if t, ok := contentTypes[ext]; ok {
		return t
	}
	return Fallback
}

// isHTML reports whether a Content-Type is HTML: such files are uploaded last, as the switch.
func isHTML(contentType string) bool {
	t, _, err := mime.ParseMediaType(contentType)
	return err == nil && (t == "text/html" || t == "application/xhtml+xml")
}

// IsHashed reports whether a file name carries a content hash: a segment of its base name (split at '.', '-' and
// '_', extension excluded) of at least 8 characters that looks like what bundlers emit — lowercase hex with a
// letter (webpack, Parcel: app.3e226f5c.css), uppercase letters and digits with both (esbuild: chunk-ABCD1234.js),
// or exactly 8 mixed-case letters and digits with all three (Rollup/Vite: index-BXjR4k2a.js).
//
// Words and version numbers must not match: an immutable header on a file that is later replaced under the same
// name keeps it stale in caches for a year, while a missed hash only costs a shorter cache. So "bootstrap5",
// "20240101" and "jquery-3.7.1" are not hashes.
func IsHashed(rel string) bool {
	base := path.Base(rel)
	base = strings.TrimSuffix(base, path.Ext(base))
	for _, seg := range strings.FieldsFunc(base, func(r rune) bool { return r == '.' || r == '-' || r == '_' }) {
		if hashLike(seg) {
			return true
		}
	}
	return false
}

func hashLike(s string) bool {
	if len(s) < 8 {
		return false
	}
	var digit, lower, upper, hexLower bool
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'a' && c <= 'z':
			lower = true
			if c > 'f' {
				hexLower = true // a lowercase letter beyond f: not hex
			}
		case c >= 'A' && c <= 'Z':
			upper = true
		default:
			return false
		}
	}
	switch {
	case lower && !upper:
		return digit && !hexLower
	case upper && !lower:
		return digit
	case upper && lower:
		return digit && len(s) == 8
	}
	return false // digits only: dates, versions, ids
}
