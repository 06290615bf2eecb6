// Integration tests: run against the built image, started by the pipeline, at APP_URL
// (`npm run test:integration`). Without APP_URL (the unit test run) they are skipped.
import { describe, expect, it } from "vitest";

// Not BASE_URL: Vite sets that one to "/" in every test run.
const base = process.env.APP_URL;

describe.skipIf(!base)("the built image", () => {
  it("answers its health check", async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok" });
  });

  it("serves the home page and its hashed stylesheet", async () => {
    const page = await (await fetch(`${base}/`)).text();
    expect(page).toContain("app.3e226f5c.css");
    const css = await fetch(`${base}/assets/app.3e226f5c.css`);
    expect(css.status).toBe(200);
  });
});
