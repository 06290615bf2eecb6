package static

import (
	"fmt"
	"path"
	"strings"
)

// AssetsLabel is the image label by which an app's Dockerfile names the directory of its built static assets:
//
//	LABEL org.pixelsandpetals.delivery.assets=/app/dist/assets
//
// "none" says the app has no static assets (an API): the release then publishes nothing.
const AssetsLabel = "org.pixelsandpetals.delivery.assets"

// NoAssets is the declaration of an app without static assets.
const NoAssets = "none"

// KnownLayout is a build tool's usual output directory of hashed assets and the URL path its HTML loads them
// from.
type KnownLayout struct {
	Name string
	// Dir is relative to the image's working directory.
	Dir string
	// URLPrefix is where the tool's HTML expects the files, e.g. "/assets/".
	URLPrefix string
}

// KnownLayouts are probed in order when the app declares nothing.
var KnownLayouts = []KnownLayout{
	{Name: "Vite", Dir: "dist/assets", URLPrefix: "/assets/"},
	{Name: "Next.js", Dir: ".next/static", URLPrefix: "/_next/static/"},
	{Name: "built public/ (scripts writing dist/public)", Dir: "dist/public/assets", URLPrefix: "/assets/"},
	{Name: "public/", Dir: "public/assets", URLPrefix: "/assets/"},
}

// Layout is where a release's static files are in its image, and under which key prefix they go in the bucket.
type Layout struct {
	// Dir is the absolute directory in the image; "" when the app has no static assets.
	Dir string
	// From says how Dir was found, for the summary and for errors: `label …`, `delivery.json`, `Vite layout`.
	From string
	// URLPrefix is where a known layout's HTML loads its files from ("" when declared: the app knows).
	URLPrefix string
}

// None reports an app without static assets.
func (l Layout) None() bool { return l.Dir == "" }

// FindAssets decides which directory of the image holds the static assets: the one declared (delivery.json wins
// over the Dockerfile label, as the more specific place), else the first known layout that exists under workdir.
// exists says whether a directory exists in the image (and is not empty). A declared directory that is missing is
// an error, not a release without assets: its HTML would reference files S3 does not have.
func FindAssets(declared, declaredBy, workdir string, exists func(dir string) bool) (Layout, error) {
	if declared == NoAssets {
		return Layout{From: declaredBy}, nil
	}
	if declared != "" {
		dir := declared
		if !path.IsAbs(dir) {
			dir = path.Join(orRoot(workdir), dir)
		}
		if !exists(dir) {
			return Layout{}, fmt.Errorf("static assets: %s names %s, which is missing or empty in the image: build the assets in the Dockerfile, or fix the path (%q means no static assets)",
				declaredBy, dir, NoAssets)
		}
		return Layout{Dir: dir, From: declaredBy}, nil
	}
	var tried []string
	for _, k := range KnownLayouts {
		dir := path.Join(orRoot(workdir), k.Dir)
		if exists(dir) {
			return Layout{Dir: dir, From: k.Name + " layout", URLPrefix: k.URLPrefix}, nil
		}
		tried = append(tried, dir+" ("+k.Name+")")
	}
	return Layout{}, fmt.Errorf("static assets: none found in the image (looked for %s): declare the directory with LABEL %s=<dir> in the Dockerfile or \"assets\" in delivery.json, or %q for an app without static assets",
		strings.Join(tried, ", "), AssetsLabel, NoAssets)
}

func orRoot(dir string) string {
	if dir == "" {
		return "/"
	}
	return dir
}

// KeyPrefix turns the distribution's static path pattern (Terraform output static_path_pattern, e.g.
// "/assets/*") into the bucket key prefix the assets go under ("assets/"): the pattern is the one source of
// truth for where visitors' browsers find them. A known layout whose HTML loads its files from elsewhere is an
// error: the pages would reference paths CloudFront sends to the app instead of the bucket.
func (l Layout) KeyPrefix(pattern string) (string, error) {
	dir, ok := strings.CutSuffix(pattern, "/*")
	if !ok || !strings.HasPrefix(dir, "/") || strings.ContainsAny(dir, "*?") {
		return "", fmt.Errorf("static assets: the distribution's static path pattern %q is not a directory pattern such as /assets/*", pattern)
	}
	if l.URLPrefix != "" && l.URLPrefix != dir+"/" {
		return "", fmt.Errorf("static assets: the image has a %s (%s, loaded from %s) but the distribution serves only %s from the bucket: set static_path_pattern = \"%s*\" in infra, or declare the directory with LABEL %s",
			l.From, l.Dir, l.URLPrefix, pattern, l.URLPrefix, AssetsLabel)
	}
	return strings.TrimPrefix(dir, "/") + "/", nil
}
