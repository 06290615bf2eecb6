package static_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"golang.org/x/sync/errgroup"

	"github.com/pixelsandpetals/delivery/internal/testkit"
	"github.com/pixelsandpetals/delivery/pipeline/static"
)

var cleanupNow = time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC)

// aged is a release recorded age ago, naming keys.
func aged(tag string, age time.Duration, keys ...string) static.ReleaseManifest {
	return static.ReleaseManifest{Tag: tag, ImageDigest: digestOf(tag), Created: cleanupNow.Add(-age), Keys: keys}
}

// fourReleases are a, b, c, d, an hour apart (d newest), each with its own bundle and the shared CSS.
func fourReleases(ageOfA time.Duration) []static.ReleaseManifest {
	var rs []static.ReleaseManifest
	for i, tag := range []string{"a", "b", "c", "d"} {
		rs = append(rs, aged(tag, ageOfA-time.Duration(i)*time.Hour, "assets/app."+tag+".js", "assets/style.css"))
	}
	return rs
}

var fourObjects = []string{"assets/app.a.js", "assets/app.b.js", "assets/app.c.js", "assets/app.d.js", "assets/style.css"}

func TestPlanCleanup(t *testing.T) {
	cases := []struct {
		name     string
		releases []static.ReleaseManifest
		prefix   string
		objects  []string
		r        static.Retention
		want     static.CleanupPlan
	}{{
		name:     "keep the newest three: the oldest release's own bundle and manifest go, the shared CSS stays",
		releases: fourReleases(4 * time.Hour), objects: fourObjects, prefix: "assets/",
		r: static.Retention{Keep: 3, Grace: static.NoGrace},
		want: static.CleanupPlan{Prefix: "assets/", Retained: []string{"d", "c", "b"}, Expired: []string{"a"}, Kept: 4,
			Deletes: []string{"assets/app.a.js"}, ManifestDeletes: []string{".releases/a.json"}},
	}, {
		name:     "the defaults: keep 3, and a 4th release younger than 24 hours is kept too",
		releases: fourReleases(4 * time.Hour), objects: fourObjects, prefix: "assets/",
		want: static.CleanupPlan{Prefix: "assets/", Retained: []string{"d", "c", "b", "a"}, Kept: 5},
	}, {
		name:     "grace keeps what is young, not what is old",
		releases: fourReleases(26 * time.Hour), objects: fourObjects, prefix: "assets/", // a: 26h, b: 25h, c: 24h, d: 23h
		r: static.Retention{Keep: 1, Grace: 24 * time.Hour},
		want: static.CleanupPlan{Prefix: "assets/", Retained: []string{"d"}, Expired: []string{"c", "b", "a"}, Kept: 2,
			Deletes:         []string{"assets/app.a.js", "assets/app.b.js", "assets/app.c.js"},
			ManifestDeletes: []string{".releases/c.json", ".releases/b.json", ".releases/a.json"}},
	}, {
		name: "a key an expired and a retained release share survives",
		releases: []static.ReleaseManifest{aged("old", 48*time.Hour, "assets/vendor.js", "assets/old.js"),
			aged("new", time.Hour, "assets/vendor.js", "assets/new.js")},
		objects: []string{"assets/vendor.js", "assets/old.js", "assets/new.js"}, prefix: "assets/",
		r: static.Retention{Keep: 1, Grace: static.NoGrace},
		want: static.CleanupPlan{Prefix: "assets/", Retained: []string{"new"}, Expired: []string{"old"}, Kept: 2,
			Deletes: []string{"assets/old.js"}, ManifestDeletes: []string{".releases/old.json"}},
	}, {
		name: "nothing outside the prefix, no manifest, no publish manifest is deleted, even when an expired release names it",
		releases: []static.ReleaseManifest{aged("old", 48*time.Hour, "index.html", "assets-old/x.js", "img/a.js",
			"assets/.static-publish.json", "assets/old.js"), aged("new", time.Hour)},
		objects: []string{"index.html", "assets-old/x.js", "img/a.js", ".releases/old.json", ".releases/new.json",
			".static-publish.json", "assets/.static-publish.json", "assets/old.js"},
		prefix: "assets", // as given without its slash: "assets-old/" is not under it
		r:      static.Retention{Keep: 1, Grace: static.NoGrace},
		want: static.CleanupPlan{Prefix: "assets/", Retained: []string{"new"}, Expired: []string{"old"},
			Deletes: []string{"assets/old.js"}, ManifestDeletes: []string{".releases/old.json"}},
	}, {
		name:    "a legacy bucket with no release recorded loses nothing",
		objects: fourObjects, prefix: "/assets/*", // the CloudFront path pattern, as Terraform outputs it
		r:    static.Retention{Keep: 1, Grace: static.NoGrace, MaxDelete: -1},
		want: static.CleanupPlan{Prefix: "assets/", Kept: 5, Unrecorded: 5},
	}, {
		name: "objects no manifest names (legacy, or a release being recorded) stay once releases exist",
		releases: []static.ReleaseManifest{aged("old", 48*time.Hour, "assets/old.js"),
			aged("new", time.Hour, "assets/new.js")},
		objects: []string{"assets/legacy.1234.js", "assets/old.js", "assets/new.js", "assets/in-flight.js"},
		prefix:  "assets/", r: static.Retention{Keep: 1, Grace: static.NoGrace},
		want: static.CleanupPlan{Prefix: "assets/", Retained: []string{"new"}, Expired: []string{"old"}, Kept: 3,
			Unrecorded: 2, Deletes: []string{"assets/old.js"}, ManifestDeletes: []string{".releases/old.json"}},
	}, {
		name: "what ECS still runs is protected, by task definition, however old",
		releases: []static.ReleaseManifest{
			func() static.ReleaseManifest {
				r := aged("draining", 72*time.Hour, "assets/draining.js")
				r.TaskDefinition = "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:7"
				return r
			}(), aged("older", 96*time.Hour, "assets/older.js"), aged("live", time.Hour, "assets/live.js")},
		objects: []string{"assets/draining.js", "assets/older.js", "assets/live.js"}, prefix: "assets/",
		r: static.Retention{Keep: 1, Grace: static.NoGrace, Protect: []string{"web:7"}},
		want: static.CleanupPlan{Prefix: "assets/", Retained: []string{"live", "draining"}, Expired: []string{"older"},
			Kept: 2, Deletes: []string{"assets/older.js"}, ManifestDeletes: []string{".releases/older.json"}},
	}, {
		name:     "keep more than there are: nothing expires",
		releases: fourReleases(100 * time.Hour), objects: fourObjects, prefix: "assets/",
		r:    static.Retention{Keep: 10, Grace: static.NoGrace},
		want: static.CleanupPlan{Prefix: "assets/", Retained: []string{"d", "c", "b", "a"}, Kept: 5},
	}, {
		name: "duplicate listed objects count once; input order of releases does not matter",
		releases: func() []static.ReleaseManifest {
			rs := fourReleases(4 * time.Hour)
			slices.Reverse(rs)
			return rs
		}(),
		objects: append(slices.Clone(fourObjects), "assets/app.a.js"), prefix: "assets/",
		r: static.Retention{Keep: 3, Grace: static.NoGrace},
		want: static.CleanupPlan{Prefix: "assets/", Retained: []string{"d", "c", "b"}, Expired: []string{"a"}, Kept: 4,
			Deletes: []string{"assets/app.a.js"}, ManifestDeletes: []string{".releases/a.json"}},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := static.PlanCleanup(c.releases, c.prefix, c.objects, c.r, cleanupNow)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("plan =\n%+v\nwant\n%+v", got, c.want)
			}
		})
	}
}

func TestPlanCleanup_MaxDeleteGuard(t *testing.T) {
	var releases []static.ReleaseManifest
	var objects []string
	for i := range 5 {
		k := fmt.Sprintf("assets/old%d.js", i)
		releases = append(releases, aged(fmt.Sprintf("old%d", i), time.Duration(50+i)*time.Hour, k))
		objects = append(objects, k)
	}
	releases = append(releases, aged("new", time.Hour))
	r := static.Retention{Keep: 1, Grace: static.NoGrace, MaxDelete: 4}
	_, err := static.PlanCleanup(releases, "assets/", objects, r, cleanupNow)
	var guard *static.TooManyCleanupDeletesError
	var publishGuard *static.TooManyDeletesError
	if !errors.As(err, &guard) || guard.Count != 5 || guard.Max != 4 || len(guard.Expired) != 5 {
		t.Fatalf("err = %v, want the cleanup guard for 5 > 4", err)
	}
	if !errors.As(err, &publishGuard) || publishGuard.Count != 5 {
		t.Errorf("the cleanup guard does not unwrap to TooManyDeletesError: %v", err)
	}
	if !strings.Contains(err.Error(), "nothing was deleted") || strings.Contains(err.Error(), "\n") {
		t.Errorf("err = %q, want one line saying nothing was deleted", err)
	}
	r.MaxDelete = 5
	if p, err := static.PlanCleanup(releases, "assets/", objects, r, cleanupNow); err != nil || len(p.Deletes) != 5 {
		t.Errorf("at the limit: %v, %v", p.Deletes, err)
	}
	r.MaxDelete = -1
	if p, err := static.PlanCleanup(releases, "assets/", objects, r, cleanupNow); err != nil || len(p.Deletes) != 5 {
		t.Errorf("no limit: %v, %v", p.Deletes, err)
	}
	// The default is DefaultMaxDelete.
	many := []static.ReleaseManifest{aged("new", time.Hour), aged("old", 100*time.Hour)}
	var manyObjects []string
	for i := range static.DefaultMaxDelete + 1 {
		k := fmt.Sprintf("assets/%d.js", i)
		many[1].Keys = append(many[1].Keys, k)
		manyObjects = append(manyObjects, k)
	}
	if _, err := static.PlanCleanup(many, "assets/", manyObjects, static.Retention{Keep: 1, Grace: static.NoGrace},
		cleanupNow); !errors.As(err, &guard) || guard.Max != static.DefaultMaxDelete {
		t.Errorf("err = %v, want the default limit", err)
	}
}

func TestPlanCleanup_BadInputIsOneLine(t *testing.T) {
	rs := fourReleases(4 * time.Hour)
	for name, c := range map[string]struct {
		releases []static.ReleaseManifest
		prefix   string
		r        static.Retention
		want     string
	}{
		"negative keep":         {rs, "assets/", static.Retention{Keep: -1}, "at least 1"},
		"the bucket root":       {rs, "", static.Retention{}, "bucket root"},
		"the bucket root, /*":   {rs, "/*", static.Retention{}, "bucket root"},
		"a wildcard inside":     {rs, "/assets/*.js", static.Retention{}, "wildcard"},
		"the manifests' prefix": {rs, ".releases/", static.Retention{}, "release manifests"},
		"unknown protected":     {rs, "assets/", static.Retention{Protect: []string{"web:99"}}, `"web:99" is protected`},
		"a tag listed twice":    {append(slices.Clone(rs), aged("a", time.Minute)), "assets/", static.Retention{}, "listed twice"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := static.PlanCleanup(c.releases, c.prefix, fourObjects, c.r, cleanupNow)
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") ||
				!strings.HasPrefix(err.Error(), "static cleanup: ") {
				t.Fatalf("err = %v, want one line containing %q", err, c.want)
			}
		})
	}
}

// recordFour records releases A, B, C and D an hour apart (D newest, an hour ago), each with a renamed JS bundle
// and the shared CSS, uploads their assets, and adds HTML outside the asset prefix and a legacy asset no release
// recorded.
func recordFour(t *testing.T, b *releaseBucket, now time.Time) {
	t.Helper()
	b.putObject(t, "index.html", "<h1>served by ECS; a stray copy</h1>")
	b.putObject(t, "assets/legacy.0badf00d.js", "from before release manifests")
	b.putObject(t, "assets/style.5d41402a.css", "body{}")
	for i, tag := range []string{"A", "B", "C", "D"} {
		bundle := fmt.Sprintf("assets/app.%08d.js", i+1)
		b.record(t, static.ReleaseManifest{Tag: tag, ImageDigest: digestOf(strings.ToLower(tag)),
			Created: now.Add(time.Duration(i-4) * time.Hour), Keys: []string{bundle, "assets/style.5d41402a.css"}})
		b.putObject(t, bundle, "console.log("+tag+")")
	}
}

// The scenario a user notices: after a cleanup, the HTML of every release that can still serve (live, draining,
// rollback candidate) finds its JS and CSS, and only what nothing recent needs is gone.
func TestCleanup_RollbackCandidatesKeepTheirAssets(t *testing.T) {
	m := testkit.StartMoto(t)
	now := time.Now()

	t.Run("keep 3, no grace: only A's own bundle and manifest go", func(t *testing.T) {
		b := newReleaseBucket(t, m, "keep-three")
		recordFour(t, b, now)
		var progress strings.Builder
		res, err := static.Cleanup(context.Background(), b.s3, b.name, "/assets/*",
			static.Retention{Keep: 3, Grace: static.NoGrace}, now, &progress)
		if err != nil {
			t.Fatal(err)
		}
		left := b.releases(t)
		var tags []string
		for _, r := range left {
			tags = append(tags, r.Tag)
			for _, k := range r.Keys {
				if !b.exists(t, k) {
					t.Errorf("release %s needs %s, which the cleanup deleted", r.Tag, k)
				}
			}
		}
		if strings.Join(tags, ",") != "D,C,B" {
			t.Errorf("manifests left: %v, want D,C,B", tags)
		}
		for key, want := range map[string]bool{
			"assets/app.00000001.js": false, ".releases/A.json": false, // A's own
			".releases/B.json": true, ".releases/C.json": true, ".releases/D.json": true,
			"assets/style.5d41402a.css": true, "index.html": true, "assets/legacy.0badf00d.js": true,
		} {
			if got := b.exists(t, key); got != want {
				t.Errorf("%s exists = %v, want %v", key, got, want)
			}
		}
		if res.Deleted != 1 || res.ManifestsDeleted != 1 || res.Plan.Unrecorded != 1 || res.Plan.Kept != 5 ||
			!slices.Equal(res.Plan.Retained, []string{"D", "C", "B"}) {
			t.Errorf("result = %+v", res)
		}
		if !strings.Contains(progress.String(), "deleted assets/app.00000001.js\n") {
			t.Errorf("progress does not name the deleted bundle:\n%s", progress.String())
		}
		// A second cleanup has nothing left to do.
		again, err := static.Cleanup(context.Background(), b.s3, b.name, "assets/",
			static.Retention{Keep: 3, Grace: static.NoGrace}, now, nil)
		if err != nil || again.Deleted+again.ManifestsDeleted != 0 {
			t.Errorf("second cleanup: %+v, %v", again, err)
		}
	})

	t.Run("keep 3, grace 24h: A is an hour too young to lose anything", func(t *testing.T) {
		b := newReleaseBucket(t, m, "grace")
		recordFour(t, b, now)
		before := b.all(t)
		res, err := static.Cleanup(context.Background(), b.s3, b.name, "assets/",
			static.Retention{Keep: 3, Grace: 24 * time.Hour}, now, nil)
		if err != nil {
			t.Fatal(err)
		}
		if after := b.all(t); !slices.Equal(before, after) {
			t.Errorf("objects before %v, after %v", before, after)
		}
		if res.Deleted != 0 || res.ManifestsDeleted != 0 || len(res.Plan.Expired) != 0 {
			t.Errorf("result = %+v", res)
		}
	})

	t.Run("an unreadable manifest deletes nothing", func(t *testing.T) {
		b := newReleaseBucket(t, m, "unreadable")
		recordFour(t, b, now)
		b.putObject(t, ".releases/E.json", "{")
		before := b.all(t)
		_, err := static.Cleanup(context.Background(), b.s3, b.name, "assets/",
			static.Retention{Keep: 1, Grace: static.NoGrace}, now, nil)
		if err == nil || !strings.Contains(err.Error(), ".releases/E.json") || !strings.Contains(err.Error(), "nothing was changed") {
			t.Fatalf("err = %v, want one naming the manifest and saying nothing changed", err)
		}
		if after := b.all(t); !slices.Equal(before, after) {
			t.Errorf("objects before %v, after %v", before, after)
		}
	})
}

// refusing passes DeleteObjects to S3 but for the refused keys, which it reports as S3 does: per key. It records
// the batch sizes.
type refusing struct {
	static.S3API
	refuse  map[string]bool
	mu      sync.Mutex
	batches []int
}

func (r *refusing) DeleteObjects(ctx context.Context, in *s3.DeleteObjectsInput, o ...func(*s3.Options)) (*s3.DeleteObjectsOutput, error) {
	r.mu.Lock()
	r.batches = append(r.batches, len(in.Delete.Objects))
	r.mu.Unlock()
	pass := *in.Delete
	pass.Objects = nil
	var refused []s3types.Error
	for _, id := range in.Delete.Objects {
		if r.refuse[aws.ToString(id.Key)] {
			refused = append(refused, s3types.Error{Key: id.Key, Code: aws.String("AccessDenied"), Message: aws.String("Access Denied")})
		} else {
			pass.Objects = append(pass.Objects, id)
		}
	}
	out, err := r.S3API.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: in.Bucket, Delete: &pass}, o...)
	if err != nil {
		return out, err
	}
	out.Errors = append(out.Errors, refused...)
	return out, nil
}

// More than a thousand expired assets go in batches S3 accepts; a key S3 refuses is named, and the expired
// manifest stays so the next cleanup, once allowed, finishes the job.
func TestCleanup_BatchesOfAThousandAndRefusedKeys(t *testing.T) {
	b := newReleaseBucket(t, testkit.StartMoto(t), "many")
	now := time.Now()
	keys := make([]string, 1005)
	for i := range keys {
		keys[i] = fmt.Sprintf("assets/chunk-%04d.js", i)
	}
	var g errgroup.Group
	g.SetLimit(8)
	for _, k := range keys {
		g.Go(func() error {
			_, err := b.s3.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(b.name),
				Key: aws.String(k), Body: strings.NewReader(k)})
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	b.record(t, static.ReleaseManifest{Tag: "old", ImageDigest: digestOf("0"), Created: now.Add(-48 * time.Hour), Keys: keys})
	b.putObject(t, "assets/app.new.js", "new")
	b.record(t, static.ReleaseManifest{Tag: "new", ImageDigest: digestOf("1"), Created: now.Add(-time.Hour),
		Keys: []string{"assets/app.new.js"}})
	r := static.Retention{Keep: 1, Grace: static.NoGrace, MaxDelete: -1}

	c := &refusing{S3API: b.s3, refuse: map[string]bool{"assets/chunk-0500.js": true}}
	var progress strings.Builder
	res, err := static.Cleanup(context.Background(), c, b.name, "assets/", r, now, &progress)
	if err == nil || !strings.Contains(err.Error(), `"assets/chunk-0500.js": AccessDenied`) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("err = %v, want one line naming the refused key", err)
	}
	if !slices.Equal(c.batches, []int{1000, 5}) {
		t.Errorf("DeleteObjects batches = %v, want [1000 5] (no manifest batch after a refusal)", c.batches)
	}
	if res.Deleted != 1004 || len(res.Failures) != 1 || res.Failures[0].Key != "assets/chunk-0500.js" {
		t.Errorf("result: deleted %d, failures %+v", res.Deleted, res.Failures)
	}
	if !strings.Contains(progress.String(), "not deleted assets/chunk-0500.js: AccessDenied") {
		t.Error("progress does not report the refused key")
	}
	if !b.exists(t, ".releases/old.json") || !b.exists(t, "assets/chunk-0500.js") || b.exists(t, "assets/chunk-0499.js") {
		t.Error("after the refusal: want the old manifest and the refused key kept, the rest gone")
	}

	res, err = static.Cleanup(context.Background(), b.s3, b.name, "assets/", r, now, nil)
	if err != nil || res.Deleted != 1 || res.ManifestsDeleted != 1 {
		t.Fatalf("re-run: %+v, %v", res, err)
	}
	if got := b.all(t); !slices.Equal(got, []string{".releases/new.json", "assets/app.new.js"}) {
		t.Errorf("bucket after the re-run = %v", got)
	}
}

func TestCleanup_MissingBucketChangesNothing(t *testing.T) {
	b := newReleaseBucket(t, testkit.StartMoto(t), "exists")
	_, err := static.Cleanup(context.Background(), b.s3, "no-such-bucket", "assets/", static.Retention{}, time.Time{}, nil)
	if err == nil || !strings.Contains(err.Error(), `bucket "no-such-bucket" does not exist`) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("err = %v", err)
	}
}
