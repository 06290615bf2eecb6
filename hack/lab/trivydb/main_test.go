package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestBuildWritesTrivyLayout(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	if err := Build(dir, now); err != nil {
		t.Fatal(err)
	}
	// A second build replaces the first (the lab re-runs it).
	if err := Build(dir, now); err != nil {
		t.Fatal(err)
	}

	raw, err := os.ReadFile(filepath.Join(dir, "db", "metadata.json"))
	if err != nil {
		t.Fatal(err)
	}
	var meta metadata
	if err := json.Unmarshal(raw, &meta); err != nil {
		t.Fatal(err)
	}
	if meta.Version != 2 || !meta.DownloadedAt.Equal(now) || !meta.NextUpdate.After(now) {
		t.Errorf("metadata.json = %s", raw)
	}

	db, err := bolt.Open(filepath.Join(dir, "db", "trivy.db"), 0o444, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		get := func(path ...string) []byte {
			b := tx.Bucket([]byte(path[0]))
			for _, p := range path[1 : len(path)-1] {
				if b == nil {
					return nil
				}
				b = b.Bucket([]byte(p))
			}
			if b == nil {
				return nil
			}
			return b.Get([]byte(path[len(path)-1]))
		}
		for _, tc := range []struct{ path []string }{
			{[]string{npmSource, "lodash", "CVE-2019-10744"}},
			{[]string{goSource, "golang.org/x/text", "CVE-2021-38561"}},
			{[]string{alpineSource, "musl", "CVE-2025-26519"}},
			{[]string{"vulnerability", "CVE-2019-10744"}},
			{[]string{"data-source", npmSource}},
		} {
			if get(tc.path...) == nil {
				t.Errorf("no value at %q", tc.path)
			}
		}
		var v dbVulnerability
		if err := json.Unmarshal(get("vulnerability", "CVE-2019-10744"), &v); err != nil {
			return err
		}
		if v.Severity != "CRITICAL" || v.VendorSeverity["ghsa"] != 4 || v.Title == "" || len(v.References) == 0 {
			t.Errorf("CVE-2019-10744 details = %+v", v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
