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

  it("serves the home page and every hashed asset it references", async () => {
    const page = await (await fetch(`${base}/`)).text();
    const assets = [...page.matchAll(/"(\/assets\/[\w-]+\.[0-9a-f]{8}\.(?:css|js))"/g)].map((m) => m[1]);
    expect(assets.length).toBe(2);
    for (const a of assets) {
      expect((await fetch(`${base}${a}`)).status).toBe(200);
    }
  });
});
