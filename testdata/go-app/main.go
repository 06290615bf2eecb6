// Command petals-api is the Pixels & Petals catalogue API: a small Go web server with a health check.
package main

import (
	"log"
	"net/http"
	"os"
)

func main() {
	addr := ":" + envOr("PORT", "8080")
	log.Printf("petals-api %s listening on %s", envOr("APP_VERSION", "dev"), addr)
	if err := http.ListenAndServe(addr, newMux(envOr("APP_VERSION", "dev"))); err != nil {
		log.Fatal(err)
	}
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
