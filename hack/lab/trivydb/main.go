// Command trivydb writes a small trivy vulnerability DB from the advisories in fixtures.go, so that trivy can scan
// offline (with --skip-db-update) in the lab and in tests. The layout is the one trivy-db writes and trivy's own
// test fixtures load (github.com/aquasecurity/trivy-db/pkg/db, trivy's integration/testdata/fixtures/db):
//
//	DIR/db/trivy.db        bbolt: "<ecosystem or OS release>" / <package> / <vuln ID> → advisory JSON,
//	                       "vulnerability" / <vuln ID> → details JSON, "data-source" / <root bucket> → source JSON
//	DIR/db/metadata.json   {"Version":2,"NextUpdate":…,"UpdatedAt":…,"DownloadedAt":…}
//
// Usage: go run ./hack/lab/trivydb -out DIR   (DIR is then trivy's --cache-dir)
//
// It is its own module so that bbolt stays out of the product's go.mod.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// schemaVersion is trivy-db's SchemaVersion that trivy v0.74.0 expects in metadata.json.
const schemaVersion = 2

type advisory struct {
	Source, Pkg, ID string
	Severity        string
	// Vulnerable and Patched are version ranges/versions for language ecosystems; Fixed is the fixed version of
	// an OS package.
	Vulnerable, Patched []string
	Fixed               string
	Title               string
	References          []string
}

type dataSource struct {
	ID   string `json:",omitempty"`
	Name string `json:",omitempty"`
	URL  string `json:",omitempty"`
}

// dbAdvisory and dbVulnerability are the JSON shapes of trivy-db's types.Advisory and types.Vulnerability.
type dbAdvisory struct {
	FixedVersion       string   `json:",omitempty"`
	VulnerableVersions []string `json:",omitempty"`
	PatchedVersions    []string `json:",omitempty"`
}

type dbVulnerability struct {
	Title          string         `json:",omitempty"`
	Description    string         `json:",omitempty"`
	Severity       string         `json:",omitempty"`
	VendorSeverity map[string]int `json:",omitempty"`
	References     []string       `json:",omitempty"`
}

type metadata struct {
	Version                             int
	NextUpdate, UpdatedAt, DownloadedAt time.Time
}

// severities maps names to trivy-db's Severity numbers.
var severities = map[string]int{"UNKNOWN": 0, "LOW": 1, "MEDIUM": 2, "HIGH": 3, "CRITICAL": 4}

func main() {
	out := flag.String("out", "", "trivy cache directory to write db/trivy.db and db/metadata.json into")
	without := flag.String("without", "", "leave out this advisory (e.g. CVE-2019-10744): the DB as it was before it was published")
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: trivydb -out DIR [-without ID]")
		os.Exit(2)
	}
	if err := Build(*out, time.Now().UTC(), *without); err != nil {
		fmt.Fprintln(os.Stderr, "trivydb:", err)
		os.Exit(1)
	}
}

// Build writes the DB into cacheDir/db, replacing an existing one. The DB file is written under a temporary name
// and renamed, so a trivy reading the old one never sees half a file.
func Build(cacheDir string, now time.Time, without ...string) error {
	dir := filepath.Join(cacheDir, "db")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp := filepath.Join(dir, "trivy.db.tmp")
	_ = os.Remove(tmp)
	db, err := bolt.Open(tmp, 0o644, &bolt.Options{Timeout: 10 * time.Second})
	if err != nil {
		return fmt.Errorf("creating %s: %w", tmp, err)
	}
	err = db.Update(func(tx *bolt.Tx) error { return fill(tx, without) })
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, "trivy.db")); err != nil {
		return err
	}
	// DownloadedAt set: trivy then treats the DB as complete; NextUpdate in the future: no update is due even
	// when --skip-db-update is forgotten.
	meta, _ := json.Marshal(metadata{Version: schemaVersion, NextUpdate: now.Add(10 * 365 * 24 * time.Hour),
		UpdatedAt: now, DownloadedAt: now})
	return os.WriteFile(filepath.Join(dir, "metadata.json"), append(meta, '\n'), 0o644)
}

func fill(tx *bolt.Tx, without []string) error {
	for name, src := range sources {
		if err := put(tx, []string{"data-source"}, name, src); err != nil {
			return err
		}
	}
	for _, a := range advisories {
		if slices.Contains(without, a.ID) {
			continue
		}
		sev, ok := severities[a.Severity]
		if !ok {
			return fmt.Errorf("%s: unknown severity %q", a.ID, a.Severity)
		}
		src, ok := sources[a.Source]
		if !ok {
			return fmt.Errorf("%s: no data source for %q", a.ID, a.Source)
		}
		adv := dbAdvisory{FixedVersion: a.Fixed, VulnerableVersions: a.Vulnerable, PatchedVersions: a.Patched}
		if err := put(tx, []string{a.Source, a.Pkg}, a.ID, adv); err != nil {
			return err
		}
		vuln := dbVulnerability{Title: a.Title, Severity: a.Severity, References: a.References,
			VendorSeverity: map[string]int{src.ID: sev, "nvd": sev}}
		if err := put(tx, []string{"vulnerability"}, a.ID, vuln); err != nil {
			return err
		}
	}
	return nil
}

// put stores value as JSON under key in the nested buckets, creating them.
func put(tx *bolt.Tx, buckets []string, key string, value any) error {
	b, err := tx.CreateBucketIfNotExists([]byte(buckets[0]))
	for _, name := range buckets[1:] {
		if err != nil {
			break
		}
		b, err = b.CreateBucketIfNotExists([]byte(name))
	}
	if err != nil {
		return fmt.Errorf("bucket %v: %w", buckets, err)
	}
	v, err := json.Marshal(value)
	if err != nil {
		return err
	}
	return b.Put([]byte(key), v)
}
