package static

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// File is one local file as it will be published.
type File struct {
	// Key is the object key: the prefix followed by the file's slash path in the source.
	Key string
	// Name is the file's path in the source fs.FS.
	Name string
	Size int64
	// MD5 of the content: S3's ETag of a single-part upload, and the Content-MD5 that makes S3 verify the bytes.
	MD5 [md5.Size]byte
	// PartsETag is the ETag S3 gives this content uploaded in parts of the publish part size ("<hex>-<parts>"),
	// to compare with objects that an earlier multipart upload left.
	PartsETag string
	// ContentType and CacheControl come from Headers.
	ContentType, CacheControl string
}

// ETag is the hex MD5 of the content, the ETag of a single-part upload.
func (f File) ETag() string { return hex.EncodeToString(f.MD5[:]) }

// IsHTML reports whether the file is HTML: HTML is uploaded after every asset, as the switch to the new release.
func (f File) IsHTML() bool { return isHTML(f.ContentType) }

// multipart reports whether the file is uploaded in parts.
func (f File) multipart(partSize int64) bool { return f.Size > partSize }

// uploadETag is the ETag S3 gives the object once this publish has uploaded it.
func (f File) uploadETag(partSize int64) string {
	if f.multipart(partSize) {
		return f.PartsETag
	}
	return f.ETag()
}

// ReadFiles describes every regular file in fsys (symbolic links to files are followed), sorted by key. Keys are
// prefix + the slash path; partSize is the multipart part size of uploads, needed for PartsETag.
func ReadFiles(fsys fs.FS, prefix string, partSize int64, h Headers) ([]File, error) {
	h = h.orDefault()
	var files []File
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			if d.Type()&fs.ModeSymlink == 0 {
				return nil
			}
			if info, err := fs.Stat(fsys, name); err != nil || !info.Mode().IsRegular() {
				return nil // a dangling link or one to a directory: links to directories are not followed (loops)
			}
		}
		f, err := readFile(fsys, name, partSize)
		if err != nil {
			return err
		}
		f.Key = prefix + name
		f.ContentType, f.CacheControl = h.For(name)
		files = append(files, f)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Key < files[j].Key })
	return files, nil
}

// readFile hashes the content once, as a whole and per upload part.
func readFile(fsys fs.FS, name string, partSize int64) (File, error) {
	fh, err := fsys.Open(name)
	if err != nil {
		return File{}, err
	}
	defer func() { _ = fh.Close() }() // read-only: a close error cannot lose data
	whole := md5.New()
	var parts []byte // the MD5s of the parts, concatenated
	var n int64
	for {
		part := md5.New()
		k, err := io.CopyN(io.MultiWriter(whole, part), fh, partSize)
		n += k
		if k > 0 || n == 0 {
			parts = part.Sum(parts)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return File{}, fmt.Errorf("reading %s: %w", name, err)
		}
	}
	f := File{Name: name, Size: n}
	copy(f.MD5[:], whole.Sum(nil))
	f.PartsETag = partsETag(parts, len(parts)/md5.Size)
	return f, nil
}

// partsETag is S3's multipart ETag: the MD5 of the parts' MD5s, then "-" and the number of parts.
func partsETag(concatenated []byte, n int) string {
	sum := md5.Sum(concatenated)
	return fmt.Sprintf("%x-%d", sum, n)
}

// normalizeETag strips the quotes S3 puts around ETags.
func normalizeETag(etag string) string { return strings.ToLower(strings.Trim(etag, `"`)) }

// normalizePrefix makes a non-empty prefix a directory: "docs" would otherwise also match "docs-old/…".
func normalizePrefix(p string) string {
	p = strings.TrimLeft(path.Clean("/"+p), "/")
	if p == "" {
		return ""
	}
	return p + "/"
}
