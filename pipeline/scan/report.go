// Package scan is the security-scanning stage's logic: the trivy command lines (source tree and image tarball, with
// an offline DB), a minimal typed model of trivy's JSON report, and the gate computed from that report in Go — so
// the pass/fail decision never depends on the SARIF export (trivy-action's SARIF ignores its severity filter) and
// the exported JSON/SARIF always show every finding.
//
// trivy's own report types are not imported: they pull in most of trivy (go-containerregistry, the fanal types, the
// SBOM core); the few fields the gate needs are declared here.
package scan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// SchemaVersion is the version of trivy's JSON report this package reads (trivy v0.20 and later, v0.74.0 included).
const SchemaVersion = 2

// Report is the part of trivy's JSON report (`--format json`) the gate and the summary use.
type Report struct {
	SchemaVersion int
	ArtifactName  string
	ArtifactType  string
	Results       []Result
}

// Result is one scanned target: a lockfile, an OS, a file with secrets, a config file.
type Result struct {
	Target string
	// Class is trivy's result class: os-pkgs, lang-pkgs, secret, config, ….
	Class string
	// Type is the package manager, OS family or config type: npm, gomod, alpine, dockerfile, terraform, ….
	Type              string
	Vulnerabilities   []Vulnerability
	Secrets           []Secret
	Misconfigurations []Misconfiguration
}

// Vulnerability is a vulnerable package version.
type Vulnerability struct {
	VulnerabilityID  string
	PkgName          string
	InstalledVersion string
	// FixedVersion is empty when no fixed version exists.
	FixedVersion string
	Severity     string
	Title        string
	PrimaryURL   string
}

// Secret is a secret found in a file. The matched text and the surrounding code (trivy's Match and Code fields)
// are deliberately not part of the model, so they can never reach a log or an error message from here.
type Secret struct {
	RuleID    string
	Category  string
	Title     string
	Severity  string
	StartLine int
}

// Misconfiguration is the result of one check on a config file; only Status FAIL is a finding.
type Misconfiguration struct {
	// ID is the check ID (e.g. DS-0002 in trivy v0.74.0); AVDID its older alias (AVD-DS-0002).
	ID            string
	AVDID         string
	Title         string
	Severity      string
	Message       string
	Status        string
	PrimaryURL    string
	CauseMetadata CauseMetadata
}

// CauseMetadata locates a misconfiguration.
type CauseMetadata struct {
	Resource  string
	StartLine int
}

// Failed reports whether the check failed (PASS and EXCEPTION results are not findings).
func (m Misconfiguration) Failed() bool { return m.Status == "FAIL" }

// Parse reads a trivy JSON report. Whatever is wrong with it — unreadable, empty, not JSON, not a trivy report —
// the error is one line that says so.
func Parse(r io.Reader) (*Report, error) {
	if r == nil {
		return nil, errors.New("trivy report: nothing to read")
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("trivy report: cannot read it: %v", err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("trivy report is empty: trivy wrote no JSON (did the scan fail before writing it?)")
	}
	var rep Report
	if err := json.Unmarshal(data, &rep); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return nil, fmt.Errorf("not a trivy JSON report: %s has the wrong type (%s)", fieldOrTop(typeErr.Field), typeErr.Value)
		}
		return nil, fmt.Errorf("trivy report is not valid JSON: %v", err)
	}
	if rep.SchemaVersion != SchemaVersion {
		if rep.SchemaVersion == 0 {
			return nil, errors.New("not a trivy JSON report: no SchemaVersion (was it written with --format json?)")
		}
		return nil, fmt.Errorf("unsupported trivy JSON report: SchemaVersion %d, this pipeline reads %d",
			rep.SchemaVersion, SchemaVersion)
	}
	return &rep, nil
}

func fieldOrTop(field string) string {
	if field == "" {
		return "the document"
	}
	return field
}
