// The storefront's HTTP surface: a health check for the load balancer, the home page, and static assets.
import express, { type Express } from "express";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { cacheControlFor } from "./cache.js";

const publicDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "public");

export interface AppOptions {
  /** Version string reported by /healthz, normally the git SHA of the image. */
  version: string;
}

export function createApp(opts: AppOptions): Express {
  const app = express();
  app.disable("x-powered-by");

  // The ALB target group and the deploy smoke test both call this; it must stay cheap and dependency-free.
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok", version: opts.version });
  });

  app.use(
    express.static(publicDir, {
      setHeaders: (res, filePath) => res.setHeader("Cache-Control", cacheControlFor(filePath)),
    }),
  );

  app.use((_req, res) => {
    res.status(404).type("text/plain").send("not found");
  });
  return app;
}
