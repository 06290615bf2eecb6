package main

import (
	"encoding/json"
	"net/http"
)

// Flower is one catalogue entry.
type Flower struct {
	Name  string  `json:"name"`
	Price float64 `json:"price"`
}

var catalogue = []Flower{{Name: "Peony", Price: 12.5}, {Name: "Tulip", Price: 7.5}}

func newMux(version string) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, map[string]string{"status": "ok", "version": version})
	})
	mux.HandleFunc("GET /flowers", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, catalogue)
	})
	return mux
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}
