package static

import (
	"fmt"
	"net/url"
	"path"
	"sort"
	"strings"
)

// Defaults of PlanOptions and PublishOptions.
const (
	DefaultMaxDelete            = 256
	DefaultMaxInvalidationPaths = 15
)

// PlanOptions shape a plan. Plans are pure: they are computed from the two listings and never call AWS.
type PlanOptions struct {
	// Bucket only names the target in String.
	Bucket string
	// Prefix is the key prefix the site lives under ("" for the whole bucket). Deletes never leave it.
	Prefix string
	// MaxDelete refuses a plan that deletes more objects: a wrong source directory or prefix must not empty a
	// live site. 0 means DefaultMaxDelete; negative means no limit.
	MaxDelete int
	// MaxInvalidationPaths: a plan needing more paths invalidates everything under the prefix ("/*") instead.
	// 0 means DefaultMaxInvalidationPaths.
	MaxInvalidationPaths int
	// OriginPath is the CloudFront origin path ("/site") when the distribution serves a bucket folder at its
	// root: invalidation paths are the keys without it.
	OriginPath string
	// Additive plans no deletes: objects the local files lack stay. A release uses it for its assets, because
	// the previous release's HTML — still served by draining tasks, by a rollback, by a visitor's open page —
	// references them; retention (Cleanup) deletes what no retained release needs.
	Additive bool
}

// Reason says why a file is uploaded.
type Reason string

const (
	ReasonNew            Reason = "new"
	ReasonChanged        Reason = "changed"
	ReasonHeaders        Reason = "headers changed"
	ReasonHeadersUnknown Reason = "headers unknown"
)

// Upload is a file the plan uploads.
type Upload struct {
	File
	Reason Reason
}

// Plan is what a publish does, in the order it does it: upload Assets, then HTML (the switch: from here on the
// new release is served), then delete the stale objects nothing refers to any more, then invalidate.
type Plan struct {
	Bucket, Prefix string
	Assets, HTML   []Upload
	Unchanged      int
	// Deletes are remote keys under the prefix with no local file.
	Deletes []string
	// Invalidate are the CloudFront paths whose cached copies are stale; empty when nothing needs invalidating.
	Invalidate []string
}

// Empty reports whether the plan changes nothing.
func (p *Plan) Empty() bool { return len(p.Assets)+len(p.HTML)+len(p.Deletes) == 0 }

// Bytes is the size of all uploads.
func (p *Plan) Bytes() int64 {
	var n int64
	for _, u := range append(append([]Upload(nil), p.Assets...), p.HTML...) {
		n += u.Size
	}
	return n
}

// TooManyDeletesError is the max-delete guard: the plan was refused and nothing was changed.
type TooManyDeletesError struct {
	Prefix     string
	Count, Max int
}

func (e *TooManyDeletesError) Error() string {
	return fmt.Sprintf("static publish would delete %d objects under %s, more than the limit of %d: check the "+
		"source directory and the prefix, or raise MaxDelete; nothing was changed", e.Count, where(e.Prefix), e.Max)
}

func where(prefix string) string {
	if prefix == "" {
		return "the bucket root"
	}
	return fmt.Sprintf("%q", prefix)
}

// NewPlan compares the local files with the remote objects. Files whose bytes match but whose headers are
// unknown (see NeedsHeaders) are uploaded again: only an upload makes their headers certain.
func NewPlan(local []File, remote []Object, o PlanOptions) (*Plan, error) {
	prefix := normalizePrefix(o.Prefix)
	p := &Plan{Bucket: o.Bucket, Prefix: prefix}
	byKey := make(map[string]Object, len(remote))
	for _, r := range remote {
		if strings.HasPrefix(r.Key, prefix) {
			byKey[r.Key] = r
		}
	}
	var replaced []Upload
	for _, f := range local {
		r, exists := byKey[f.Key]
		delete(byKey, f.Key)
		reason := compare(f, r, exists)
		if reason == "" {
			p.Unchanged++
			continue
		}
		u := Upload{File: f, Reason: reason}
		if u.IsHTML() {
			p.HTML = append(p.HTML, u)
		} else {
			p.Assets = append(p.Assets, u)
		}
		if exists {
			replaced = append(replaced, u)
		}
	}
	for k := range byKey {
		if !o.Additive {
			p.Deletes = append(p.Deletes, k)
		}
	}
	sort.Strings(p.Deletes)
	max := o.MaxDelete
	if max == 0 {
		max = DefaultMaxDelete
	}
	if max > 0 && len(p.Deletes) > max {
		return nil, &TooManyDeletesError{Prefix: prefix, Count: len(p.Deletes), Max: max}
	}
	p.Invalidate = invalidationPaths(replaced, p.Deletes, prefix, o)
	return p, nil
}

// compare returns why f must be uploaded over r, or "" when r already is f.
func compare(f File, r Object, exists bool) Reason {
	switch {
	case !exists:
		return ReasonNew
	case !sameBytes(f, r):
		return ReasonChanged
	case !r.HeadersKnown:
		return ReasonHeadersUnknown
	case r.ContentType != f.ContentType || r.CacheControl != f.CacheControl:
		return ReasonHeaders
	}
	return ""
}

// sameBytes compares sizes and ETags. A multipart ETag only matches when it was made with the publish part size:
// with any other part size the bytes cannot be compared, and the file counts as changed.
func sameBytes(f File, r Object) bool {
	if f.Size != r.Size {
		return false
	}
	etag := normalizeETag(r.ETag)
	if strings.Contains(etag, "-") {
		return etag == f.PartsETag
	}
	return etag == f.ETag()
}

// NeedsHeaders lists the keys whose bytes match a local file but whose Content-Type and Cache-Control are not
// known from the listing: a publisher asks S3 for them (HeadObject) before planning.
func NeedsHeaders(local []File, remote []Object) []string {
	byKey := make(map[string]Object, len(remote))
	for _, r := range remote {
		byKey[r.Key] = r
	}
	var keys []string
	for _, f := range local {
		if r, ok := byKey[f.Key]; ok && !r.HeadersKnown && sameBytes(f, r) {
			keys = append(keys, f.Key)
		}
	}
	return keys
}

// invalidationPaths is the minimal set of stale CloudFront paths. New files need none: nothing was cached under
// their name. Replaced files need theirs, of every kind — a hashed asset is normally never replaced (new content,
// new name), but if one is, its year-long cached copy is exactly what must go. Deleted HTML and deleted non-hashed
// files need theirs; deleted hashed assets do not (nothing links to them any more). index.html also stands for its
// directory ("/docs/"). More than the maximum: everything under the prefix.
func invalidationPaths(replaced []Upload, deleted []string, prefix string, o PlanOptions) []string {
	origin := strings.Trim(o.OriginPath, "/")
	if origin != "" {
		origin += "/"
	}
	set := map[string]bool{}
	add := func(key string) {
		if !strings.HasPrefix(key, origin) {
			return // outside what the distribution serves
		}
		rel := strings.TrimPrefix(key, origin)
		set["/"+escapePath(rel)] = true
		if path.Base(rel) == "index.html" {
			set["/"+escapePath(strings.TrimSuffix(rel, "index.html"))] = true
		}
	}
	for _, u := range replaced {
		add(u.Key)
	}
	for _, k := range deleted {
		if isHTML(DefaultHeaders().typeOf(k)) || !IsHashed(k) {
			add(k)
		}
	}
	if len(set) == 0 {
		return nil
	}
	max := o.MaxInvalidationPaths
	if max <= 0 {
		max = DefaultMaxInvalidationPaths
	}
	if len(set) > max {
		return []string{"/" + escapePath(strings.TrimPrefix(prefix, origin)) + "*"}
	}
	paths := make([]string, 0, len(set))
	for p := range set {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return paths
}

// escapePath URL-encodes each segment, as CloudFront expects, and keeps the slashes.
func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}
