package main

// The advisories of the fixture DB. Versions, fixed versions and references are those of the real advisories;
// severities are what the tests need (and match the advisories' own ratings). Add one here to make trivy find it.

const (
	npmSource    = "npm::GitHub Security Advisory Npm"
	goSource     = "go::GitHub Security Advisory Go"
	alpineSource = "alpine 3.21"
)

// sources are the data-source entries, keyed by root bucket; trivy reports them as a finding's DataSource and
// takes the severity from VendorSeverity[ID].
var sources = map[string]dataSource{
	npmSource: {ID: "ghsa", Name: "GitHub Security Advisory npm",
		URL: "https://github.com/advisories?query=type%3Areviewed+ecosystem%3Anpm"},
	goSource: {ID: "ghsa", Name: "GitHub Security Advisory Go",
		URL: "https://github.com/advisories?query=type%3Areviewed+ecosystem%3Ago"},
	alpineSource: {ID: "alpine", Name: "Alpine Secdb", URL: "https://secdb.alpinelinux.org/"},
}

var advisories = []advisory{
	{
		Source: npmSource, Pkg: "lodash", ID: "CVE-2019-10744", Severity: "CRITICAL",
		Vulnerable: []string{"< 4.17.12"}, Patched: []string{"4.17.12"},
		Title: "lodash: prototype pollution in defaultsDeep function leading to modifying properties",
		References: []string{"https://github.com/advisories/GHSA-jf85-cpcp-j695",
			"https://nvd.nist.gov/vuln/detail/CVE-2019-10744"},
	},
	{
		Source: npmSource, Pkg: "debug", ID: "CVE-2017-16137", Severity: "MEDIUM",
		Vulnerable: []string{"< 2.6.9"}, Patched: []string{"2.6.9"},
		Title: "nodejs-debug: Regular expression Denial of Service",
		References: []string{"https://github.com/advisories/GHSA-gxpj-cx7g-858c",
			"https://nvd.nist.gov/vuln/detail/CVE-2017-16137"},
	},
	{
		Source: npmSource, Pkg: "cookie", ID: "CVE-2024-47764", Severity: "LOW",
		Vulnerable: []string{"< 0.7.0"}, Patched: []string{"0.7.0"},
		Title: "cookie: cookie accepts cookie name, path, and domain with out of bounds characters",
		References: []string{"https://github.com/advisories/GHSA-pxg6-pf52-xh8x",
			"https://nvd.nist.gov/vuln/detail/CVE-2024-47764"},
	},
	{
		// No patched version exists: the fixture for --ignore-unfixed.
		Source: npmSource, Pkg: "ip", ID: "CVE-2024-29415", Severity: "HIGH",
		Vulnerable: []string{"<= 2.0.1"},
		Title:      "node-ip: Incomplete fix for CVE-2023-42282",
		References: []string{"https://github.com/advisories/GHSA-2p57-rm9w-gvfp",
			"https://nvd.nist.gov/vuln/detail/CVE-2024-29415"},
	},
	{
		Source: goSource, Pkg: "golang.org/x/text", ID: "CVE-2021-38561", Severity: "HIGH",
		Vulnerable: []string{">= 0, < 0.3.7"}, Patched: []string{"0.3.7"},
		Title: "golang: out-of-bounds read in golang.org/x/text/language leads to DoS",
		References: []string{"https://pkg.go.dev/vuln/GO-2021-0113",
			"https://nvd.nist.gov/vuln/detail/CVE-2021-38561"},
	},
	{
		Source: alpineSource, Pkg: "musl", ID: "CVE-2025-26519", Severity: "HIGH", Fixed: "1.2.5-r9",
		Title: "musl: out-of-bounds write in iconv EUC-KR decoder",
		References: []string{"https://www.openwall.com/lists/oss-security/2025/02/13/2",
			"https://nvd.nist.gov/vuln/detail/CVE-2025-26519"},
	},
}
