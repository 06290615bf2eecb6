package static_test

import (
	"bytes"
	"crypto/md5"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/pixelsandpetals/delivery/pipeline/static"
)

// local describes in-memory files the way a publish does.
func local(t *testing.T, prefix string, files map[string]string) []static.File {
	t.Helper()
	fsys := fstest.MapFS{}
	for k, v := range files {
		fsys[k] = &fstest.MapFile{Data: []byte(v)}
	}
	fs, err := static.ReadFiles(fsys, prefix, static.MinPartSize, static.Headers{})
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// live is a remote object as a previous publish left it: the content's ETag and the default headers, known.
func live(key, content string) static.Object {
	ct, cc := static.DefaultHeaders().For(key)
	return static.Object{Key: key, Size: int64(len(content)), ETag: fmt.Sprintf(`"%x"`, md5.Sum([]byte(content))),
		ContentType: ct, CacheControl: cc, HeadersKnown: true}
}

type planWant struct {
	Assets, HTML []string // "key reason"
	Unchanged    int
	Deletes      []string
	Invalidate   []string
}

func summarize(p *static.Plan) planWant {
	w := planWant{Unchanged: p.Unchanged, Deletes: p.Deletes, Invalidate: p.Invalidate}
	for _, u := range p.Assets {
		w.Assets = append(w.Assets, u.Key+" "+string(u.Reason))
	}
	for _, u := range p.HTML {
		w.HTML = append(w.HTML, u.Key+" "+string(u.Reason))
	}
	return w
}

func TestNewPlan(t *testing.T) {
	bigPart := bytes.Repeat([]byte("p"), static.MinPartSize+10) // two parts at MinPartSize
	s1 := md5.Sum(bigPart[:static.MinPartSize])
	s2 := md5.Sum(bigPart[static.MinPartSize:])
	bigETag := fmt.Sprintf(`"%x-2"`, md5.Sum(append(s1[:], s2[:]...)))
	headersChanged := live("app.js", "x")
	headersChanged.CacheControl = "public, max-age=60"
	unknown := live("app.js", "x")
	unknown.HeadersKnown = false
	many := map[string]string{}
	var manyRemote []static.Object
	for i := range 16 {
		k := fmt.Sprintf("p%02d.html", i)
		many[k] = "new"
		manyRemote = append(manyRemote, live(k, "old"))
	}

	for _, c := range []struct {
		name   string
		prefix string
		local  map[string]string
		remote []static.Object
		opts   static.PlanOptions
		want   planWant
	}{
		{name: "new files need no invalidation",
			local: map[string]string{"index.html": "<h1>", "app.3e226f5c.css": "c"},
			want:  planWant{Assets: []string{"app.3e226f5c.css new"}, HTML: []string{"index.html new"}}},
		{name: "changed bytes; index.html also invalidates /",
			local:  map[string]string{"index.html": "<h1>v2", "app.js": "v2"},
			remote: []static.Object{live("index.html", "<h1>v1"), live("app.js", "v1")},
			want: planWant{Assets: []string{"app.js changed"}, HTML: []string{"index.html changed"},
				Invalidate: []string{"/", "/app.js", "/index.html"}}},
		{name: "unchanged", local: map[string]string{"index.html": "<h1>", "app.js": "x"},
			remote: []static.Object{live("index.html", "<h1>"), live("app.js", "x")},
			want:   planWant{Unchanged: 2}},
		{name: "changed cache-control, same bytes", local: map[string]string{"app.js": "x"},
			remote: []static.Object{headersChanged},
			want:   planWant{Assets: []string{"app.js headers changed"}, Invalidate: []string{"/app.js"}}},
		{name: "unknown headers are uploaded again", local: map[string]string{"app.js": "x"},
			remote: []static.Object{unknown},
			want:   planWant{Assets: []string{"app.js headers unknown"}, Invalidate: []string{"/app.js"}}},
		{name: "stale objects deleted; hashed ones need no invalidation", local: map[string]string{"index.html": "<h1>"},
			remote: []static.Object{live("index.html", "<h1>"), live("old.html", "o"), live("app.3e226f5c.js", "a"),
				live("robots.txt", "r")},
			want: planWant{Unchanged: 1, Deletes: []string{"app.3e226f5c.js", "old.html", "robots.txt"},
				Invalidate: []string{"/old.html", "/robots.txt"}}},
		{name: "a hashed asset replaced in place is invalidated", local: map[string]string{"app.3e226f5c.js": "v2"},
			remote: []static.Object{live("app.3e226f5c.js", "v1")},
			want:   planWant{Assets: []string{"app.3e226f5c.js changed"}, Invalidate: []string{"/app.3e226f5c.js"}}},
		{name: "prefix: keys outside it are neither compared nor deleted", prefix: "docs",
			local: map[string]string{"index.html": "<h1>"},
			remote: []static.Object{live("index.html", "root site"), live("docs-old/x.html", "x"),
				live("docs/gone.html", "g"), live("docs/index.html", "<h1>")},
			want: planWant{Unchanged: 1, Deletes: []string{"docs/gone.html"}, Invalidate: []string{"/docs/gone.html"}}},
		{name: "directory index invalidates its directory", local: map[string]string{"docs/index.html": "v2"},
			remote: []static.Object{live("docs/index.html", "v1")},
			want: planWant{HTML: []string{"docs/index.html changed"},
				Invalidate: []string{"/docs/", "/docs/index.html"}}},
		{name: "origin path is not part of the URL", prefix: "site",
			local: map[string]string{"index.html": "v2"}, remote: []static.Object{live("site/index.html", "v1")},
			opts: static.PlanOptions{OriginPath: "/site"},
			want: planWant{HTML: []string{"site/index.html changed"}, Invalidate: []string{"/", "/index.html"}}},
		{name: "paths are URL-encoded", local: map[string]string{"my page.html": "v2"},
			remote: []static.Object{live("my page.html", "v1")},
			want:   planWant{HTML: []string{"my page.html changed"}, Invalidate: []string{"/my%20page.html"}}},
		{name: "more paths than the maximum: everything", local: many, remote: manyRemote,
			want: planWant{HTML: keysWith(many, " changed"), Invalidate: []string{"/*"}}},
		{name: "fallback stays under the prefix", prefix: "docs", local: map[string]string{"a.html": "2", "b.html": "2"},
			remote: []static.Object{live("docs/a.html", "1"), live("docs/b.html", "1")},
			opts:   static.PlanOptions{MaxInvalidationPaths: 1},
			want:   planWant{HTML: []string{"docs/a.html changed", "docs/b.html changed"}, Invalidate: []string{"/docs/*"}}},
		{name: "multipart ETag made with the part size matches", local: map[string]string{"app.wasm": string(bigPart)},
			remote: []static.Object{{Key: "app.wasm", Size: int64(len(bigPart)), ETag: bigETag,
				ContentType: "application/wasm", CacheControl: static.ShortCache, HeadersKnown: true}},
			want: planWant{Unchanged: 1}},
		{name: "multipart ETag of another part size counts as changed", local: map[string]string{"app.wasm": string(bigPart)},
			remote: []static.Object{{Key: "app.wasm", Size: int64(len(bigPart)), ETag: `"0123456789abcdef0123456789abcdef-3"`,
				ContentType: "application/wasm", CacheControl: static.ShortCache, HeadersKnown: true}},
			want: planWant{Assets: []string{"app.wasm changed"}, Invalidate: []string{"/app.wasm"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			opts := c.opts
			opts.Prefix = c.prefix
			p, err := static.NewPlan(local(t, normalize(c.prefix), c.local), c.remote, opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := summarize(p); !reflect.DeepEqual(got, c.want) {
				t.Fatalf("plan\n got  %+v\n want %+v", got, c.want)
			}
		})
	}
}

func normalize(prefix string) string {
	if prefix == "" {
		return ""
	}
	return strings.TrimSuffix(prefix, "/") + "/"
}

func keysWith(m map[string]string, suffix string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k+suffix)
	}
	slices.Sort(ks)
	return ks
}

func TestNewPlan_MaxDeleteGuard(t *testing.T) {
	var remote []static.Object
	for i := range 300 {
		remote = append(remote, live(fmt.Sprintf("old/%03d.html", i), "x"))
	}
	files := local(t, "", map[string]string{"index.html": "<h1>"})
	_, err := static.NewPlan(files, remote, static.PlanOptions{})
	var tooMany *static.TooManyDeletesError
	if !errors.As(err, &tooMany) || tooMany.Count != 300 || tooMany.Max != 256 {
		t.Fatalf("want the guard at 256, got %v", err)
	}
	if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, "nothing was changed") {
		t.Fatalf("want one line that says nothing changed: %s", msg)
	}
	if _, err := static.NewPlan(files, remote, static.PlanOptions{MaxDelete: 300}); err != nil {
		t.Fatalf("raised limit: %v", err)
	}
	if p, err := static.NewPlan(files, remote, static.PlanOptions{MaxDelete: -1}); err != nil || len(p.Deletes) != 300 {
		t.Fatalf("no limit: %v", err)
	}
}

func TestNeedsHeaders_OnlySameBytesWithUnknownHeaders(t *testing.T) {
	files := local(t, "", map[string]string{"a.js": "a", "b.js": "b", "c.js": "c", "d.js": "d"})
	unknownSame, unknownChanged := live("a.js", "a"), live("b.js", "old")
	unknownSame.HeadersKnown, unknownChanged.HeadersKnown = false, false
	got := static.NeedsHeaders(files, []static.Object{unknownSame, unknownChanged, live("c.js", "c")})
	if !reflect.DeepEqual(got, []string{"a.js"}) {
		t.Fatalf("got %v, want [a.js]: changed bytes, known headers and new files need no HeadObject", got)
	}
}

func TestPlanString_AssetsBeforeHTMLBeforeDeletes(t *testing.T) {
	p, err := static.NewPlan(local(t, "", map[string]string{"index.html": "v2", "app.3e226f5c.js": "a"}),
		[]static.Object{live("index.html", "v1"), live("app.0f0f0f0f.js", "old")}, static.PlanOptions{Bucket: "site"})
	if err != nil {
		t.Fatal(err)
	}
	s := p.String()
	asset, html, del := strings.Index(s, "app.3e226f5c.js"), strings.Index(s, "~ index.html"), strings.Index(s, "- app.0f0f0f0f.js")
	if asset < 0 || html < 0 || del < 0 || asset >= html || html >= del {
		t.Fatalf("want assets, then HTML, then deletes:\n%s", s)
	}
	if !strings.Contains(s, "s3://site/") || !strings.Contains(s, "invalidate (2): / /index.html") {
		t.Fatalf("plan text:\n%s", s)
	}
	empty, _ := static.NewPlan(local(t, "", map[string]string{"a.js": "a"}), []static.Object{live("a.js", "a")}, static.PlanOptions{})
	if !empty.Empty() || !strings.Contains(empty.String(), "nothing to do") {
		t.Fatalf("empty plan: %s", empty)
	}
}

func TestNewPlan_AdditiveKeepsThePreviousReleasesAssets(t *testing.T) {
	files := local(t, "assets/", map[string]string{"app.22222222.js": "new", "logo.svg": "logo v2"})
	remote := []static.Object{live("assets/app.11111111.js", "old"), live("assets/logo.svg", "logo v1"),
		live("assets/font.woff2", "font")}
	p, err := static.NewPlan(files, remote, static.PlanOptions{Prefix: "assets/", Additive: true, MaxDelete: 1})
	if err != nil {
		t.Fatalf("an additive plan deletes nothing, so the max-delete guard cannot refuse it: %v", err)
	}
	got := summarize(p)
	want := planWant{Assets: []string{"assets/app.22222222.js new", "assets/logo.svg changed"},
		Invalidate: []string{"/assets/logo.svg"}}
	slices.Sort(got.Assets)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("additive plan:\n got %+v\nwant %+v", got, want)
	}
}
