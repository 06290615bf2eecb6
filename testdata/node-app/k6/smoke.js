// Post-deploy smoke test: a short burst against the live URL. The pipeline gates on thresholds AND checks,
// because k6 alone passes a run whose checks failed (k6 issue #335).
import http from "k6/http";
import { check } from "k6";

export const options = {
  vus: 5,
  duration: "20s",
  thresholds: {
    http_req_failed: ["rate<0.01"],
    http_req_duration: ["p(95)<500"],
    checks: ["rate==1.0"],
  },
};

const base = __ENV.BASE_URL;

export default function () {
  const health = http.get(`${base}/healthz`);
  check(health, { "healthz is 200": (r) => r.status === 200 });
  const home = http.get(`${base}/`);
  check(home, { "home page renders": (r) => r.status === 200 && r.body.includes("Pixels &amp; Petals") });
}
