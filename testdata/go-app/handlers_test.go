package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestHealthzReportsVersion(t *testing.T) {
	rec := httptest.NewRecorder()
	newMux("abc123").ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	var body map[string]string
	if err := json.NewDecoder(rec.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if body["version"] != "abc123" {
		t.Errorf("version %q, want abc123", body["version"])
	}
}

func TestFlowersListsCatalogue(t *testing.T) {
	rec := httptest.NewRecorder()
	newMux("v").ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/flowers", nil))
	var got []Flower
	if err := json.NewDecoder(rec.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(catalogue) {
		t.Errorf("got %d flowers, want %d", len(got), len(catalogue))
	}
}
