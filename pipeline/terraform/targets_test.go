package terraform

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func TestParseTargets_ReadsEveryDeployTarget(t *testing.T) {
	data, err := os.ReadFile("testdata/outputs.json")
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseTargets(data)
	if err != nil {
		t.Fatal(err)
	}
	want := Targets{
		ECRRepositoryURL: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/pixelsandpetals-dev",
		Cluster:          "pixelsandpetals-dev", Service: "pixelsandpetals-dev", Container: "app",
		StaticBucket: "pixelsandpetals-dev-static-123456789012", StaticPathPattern: "/assets/*", DistributionID: "E2QWRUHAPOMQZL",
		AppURL: "https://dev.pixelsandpetals.com", Region: "eu-west-1", Environment: "dev",
	}
	if got != want {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestParseTargets_NamesMissingEmptyAndMistypedOutputs(t *testing.T) {
	data, _ := os.ReadFile("testdata/outputs.json")
	var outputs map[string]map[string]any
	if err := json.Unmarshal(data, &outputs); err != nil {
		t.Fatal(err)
	}
	delete(outputs, "static_bucket")
	delete(outputs, "app_url")
	outputs["environment"]["value"] = ""
	outputs["aws_region"]["value"] = []string{"eu-west-1"}
	broken, _ := json.Marshal(outputs)
	_, err := ParseTargets(broken)
	if err == nil {
		t.Fatal("expected an error")
	}
	for _, want := range []string{"missing static_bucket, app_url", "environment is empty", "aws_region is not a string"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error should contain %q: %v", want, err)
		}
	}
}

func TestOutputNames_AreDefinedInOutputsTf(t *testing.T) {
	src, err := os.ReadFile(infraDir + "/outputs.tf")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range OutputNames() {
		if !strings.Contains(string(src), `output "`+name+`" {`) {
			t.Errorf("infra/terraform/outputs.tf does not define output %q", name)
		}
	}
}
