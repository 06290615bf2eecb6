// Builds the storefront's web page the way a bundler (Vite, webpack) does: every file that web/index.html links
// (./name.ext) is copied to <out>/assets/name.<content hash>.ext and the page is rewritten to reference it, so a
// file that changes gets a new name and browsers and the CDN may cache each name forever.
// Usage: node scripts/build-web.mjs [out]   (default: dist/public)
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const src = path.join(root, "web");
const out = path.resolve(process.argv[2] ?? path.join(root, "dist", "public"));

rmSync(out, { recursive: true, force: true });
mkdirSync(path.join(out, "assets"), { recursive: true });
const page = readFileSync(path.join(src, "index.html"), "utf8").replace(/"\.\/([\w-]+)\.(css|js)"/g, (_m, name, ext) => {
  const body = readFileSync(path.join(src, `${name}.${ext}`));
  const hash = createHash("sha256").update(body).digest("hex").slice(0, 8);
  const file = `${name}.${hash}.${ext}`;
  writeFileSync(path.join(out, "assets", file), body);
  return `"/assets/${file}"`;
});
writeFileSync(path.join(out, "index.html"), page);
console.log(`web: ${out}`);
