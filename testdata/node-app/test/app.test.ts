import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import { cacheControlFor } from "../src/cache.js";

let server: Server;
let base: string;

beforeAll(async () => {
  // The page and its hashed assets are build output, as in the image.
  const publicDir = path.join(mkdtempSync(path.join(tmpdir(), "web-")), "public");
  execFileSync("node", ["scripts/build-web.mjs", publicDir]);
  server = createApp({ version: "test-sha", publicDir }).listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

describe("storefront", () => {
  it("reports health with the image version", async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", version: "test-sha" });
  });

  it("serves the home page without caching", async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(await res.text()).toContain("Pixels &amp; Petals");
  });

  it("serves hashed assets as immutable", async () => {
    const html = await (await fetch(`${base}/`)).text();
    const asset = html.match(/\/assets\/app\.[0-9a-f]{8}\.css/)?.[0];
    expect(asset).toBeDefined();
    const res = await fetch(`${base}${asset}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
  });

  it("answers unknown paths with 404", async () => {
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });
});

describe("cacheControlFor", () => {
  it.each([
    ["assets/app.3f9a1c2b.js", "public, max-age=31536000, immutable"],
    ["index.html", "no-cache"],
    ["robots.txt", "public, max-age=300"],
  ])("%s → %s", (file, want) => {
    expect(cacheControlFor(file)).toBe(want);
  });
});
