package static_test

import (
	"bytes"
	"crypto/md5"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/pixelsandpetals/delivery/pipeline/static"
)

func TestReadFiles_KeysHashesAndHeaders(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"index.html":              "<h1>hi</h1>",
		"assets/app.3e226f5c.css": "body{}",
		"docs/index.html":         "<h1>docs</h1>",
	})
	if err := os.Symlink("index.html", filepath.Join(dir, "home.html")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("docs", filepath.Join(dir, "loop")); err != nil { // a link to a directory: not followed
		t.Fatal(err)
	}
	files, err := static.ReadFiles(os.DirFS(dir), "site/", static.DefaultPartSize, static.Headers{})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, f := range files {
		keys = append(keys, f.Key)
	}
	if want := "[site/assets/app.3e226f5c.css site/docs/index.html site/home.html site/index.html]"; fmt.Sprint(keys) != want {
		t.Fatalf("keys %v, want %s", keys, want)
	}
	css := files[0]
	if css.ETag() != fmt.Sprintf("%x", md5.Sum([]byte("body{}"))) || css.Size != 6 || css.Name != "assets/app.3e226f5c.css" {
		t.Fatalf("css file %+v", css)
	}
	if css.CacheControl != static.Immutable || css.IsHTML() || !files[3].IsHTML() {
		t.Fatalf("headers: %+v / %+v", css, files[3])
	}
	inner := md5.Sum([]byte("body{}"))
	if want := fmt.Sprintf("%x-1", md5.Sum(inner[:])); css.PartsETag != want {
		t.Fatalf("single-part PartsETag %s, want %s", css.PartsETag, want)
	}
}

func TestReadFiles_PartsETagIsS3sMultipartETag(t *testing.T) {
	part := int64(static.MinPartSize)
	big := bytes.Repeat([]byte("0123456789abcdef"), int(2*part+part/2)/16) // 2.5 parts
	exact := bytes.Repeat([]byte("x"), int(2*part))                        // exactly 2 parts: no empty third
	files, err := static.ReadFiles(fstest.MapFS{
		"big.wasm":   {Data: big},
		"exact.wasm": {Data: exact},
	}, "", part, static.Headers{})
	if err != nil {
		t.Fatal(err)
	}
	want := func(b []byte) string {
		var sums []byte
		for off := 0; off < len(b); off += int(part) {
			s := md5.Sum(b[off:min(off+int(part), len(b))])
			sums = append(sums, s[:]...)
		}
		return fmt.Sprintf("%x-%d", md5.Sum(sums), len(sums)/md5.Size)
	}
	if files[0].PartsETag != want(big) || files[1].PartsETag != want(exact) {
		t.Fatalf("got %s %s, want %s %s", files[0].PartsETag, files[1].PartsETag, want(big), want(exact))
	}
	if files[0].ETag() != fmt.Sprintf("%x", md5.Sum(big)) {
		t.Fatal("whole-file MD5 wrong")
	}
}

// write creates files (slash paths) under dir.
func write(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func removeFile(t testing.TB, dir, name string) {
	t.Helper()
	if err := os.Remove(filepath.Join(dir, filepath.FromSlash(name))); err != nil {
		t.Fatal(err)
	}
}
