package static

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// ManifestName is the object, under the prefix, in which a publish records the ETag, Content-Type and
// Cache-Control it left on every object.
//
// Why: a listing gives sizes and ETags but not headers, and a file whose headers changed (a new Cache-Control
// rule) must be uploaded again even when its bytes did not. Asking S3 (HeadObject) for every unchanged file would
// make an unchanged 5,000-file publish cost 5,000 requests; the manifest makes it cost one. It is only a cache:
// an entry counts only while its ETag equals the listed one, so an object changed by anyone else since is asked
// about with HeadObject. What it cannot see is a header changed in place without changing the bytes (a
// copy-in-place with new metadata); PublishOptions.VerifyHeaders asks S3 about every object instead. It is
// publicly readable if the bucket is: it names the same files the site serves.
const ManifestName = ".static-publish.json"

type manifest struct {
	Version int                      `json:"version"`
	Objects map[string]manifestEntry `json:"objects"`
}

type manifestEntry struct {
	ETag         string `json:"etag"`
	ContentType  string `json:"contentType"`
	CacheControl string `json:"cacheControl"`
}

// maxManifest bounds what is read: about 100 bytes per file.
const maxManifest = 64 << 20

// readManifest returns the manifest and its bytes; a missing or unreadable one is empty, which only costs
// HeadObject requests.
func (p *Publisher) readManifest(ctx context.Context) (manifest, []byte, error) {
	p.requests.add("GetObject")
	out, err := p.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(p.o.Bucket), Key: aws.String(p.manifestKey())},
		quietChecksum)
	if c := code(err); c == "NoSuchKey" || c == "NotFound" {
		return manifest{}, nil, nil
	}
	if err != nil {
		return manifest{}, nil, p.bucketError("read "+ManifestName+" in", err)
	}
	defer func() { _ = out.Body.Close() }() // fully read or given up on; a close error changes nothing
	raw, err := io.ReadAll(io.LimitReader(out.Body, maxManifest))
	if err != nil {
		return manifest{}, nil, p.bucketError("read "+ManifestName+" in", err)
	}
	var m manifest
	if json.Unmarshal(raw, &m) != nil || m.Version != 1 {
		p.logf("ignoring an unreadable %s: every unchanged file's headers are read from S3 instead", ManifestName)
		return manifest{}, raw, nil
	}
	return m, raw, nil
}

// quietChecksum: the manifest is written with a Content-MD5 only, so the SDK finds no response checksum to
// validate, and would log a line about it on every publish.
func quietChecksum(o *s3.Options) { o.DisableLogOutputChecksumValidationSkipped = true }

func (p *Publisher) manifestKey() string { return p.prefix + ManifestName }

// applyManifest marks the headers of objects whose ETag is the one the manifest recorded as known.
func applyManifest(remote []Object, m manifest) {
	for i, r := range remote {
		e, ok := m.Objects[r.Key]
		if ok && normalizeETag(e.ETag) == normalizeETag(r.ETag) {
			remote[i].ContentType, remote[i].CacheControl, remote[i].HeadersKnown = e.ContentType, e.CacheControl, true
		}
	}
}

// writeManifest records what is live once every file is uploaded; it writes nothing when that is what the
// manifest already says.
func (p *Publisher) writeManifest(ctx context.Context) error {
	m := manifest{Version: 1, Objects: make(map[string]manifestEntry, len(p.files))}
	for _, f := range p.files {
		etag := f.uploadETag(p.o.PartSize)
		if r, ok := p.remote[f.Key]; ok && !p.uploaded[f.Key] {
			etag = normalizeETag(r.ETag) // unchanged: what is there (a large file may have a single-part ETag)
		}
		m.Objects[f.Key] = manifestEntry{ETag: etag, ContentType: f.ContentType, CacheControl: f.CacheControl}
	}
	raw, err := json.Marshal(m) // maps marshal sorted: the same state gives the same bytes
	if err != nil {
		return err
	}
	if bytes.Equal(raw, p.manifestRaw) {
		return nil
	}
	sum := md5.Sum(raw)
	p.requests.add("PutObject")
	_, err = p.s3.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(p.o.Bucket), Key: aws.String(p.manifestKey()), Body: bytes.NewReader(raw),
		ContentType: aws.String("application/json"), CacheControl: aws.String(NoCache),
		ContentMD5: aws.String(base64.StdEncoding.EncodeToString(sum[:])),
	}, md5Only)
	if err != nil {
		return fmt.Errorf("%w (the site is published; the next publish reads headers from S3 instead)",
			p.bucketError("write "+ManifestName+" to", err))
	}
	p.manifestRaw = raw
	return nil
}
