// The storefront's HTTP surface: a health check for the load balancer, the home page, and static assets.
// Behind CloudFront only the page and /healthz reach this server: /assets/* is served from S3, where the pipeline
// publishes the same files out of this image. Serving them here too keeps the app whole on its own (local runs,
// integration tests).
import express, { type Express } from "express";
import { cacheControlFor } from "./cache.js";

export interface AppOptions {
  /** Version string reported by /healthz, normally the git SHA of the image. */
  version: string;
  /** The built web page and its hashed assets (scripts/build-web.mjs output). */
  publicDir: string;
}

export function createApp(opts: AppOptions): Express {
  const app = express();
  app.disable("x-powered-by");

  // The ALB target group and the deploy smoke test both call this; it must stay cheap and dependency-free.
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok", version: opts.version });
  });

  app.use(
    express.static(opts.publicDir, {
      setHeaders: (res, filePath) => res.setHeader("Cache-Control", cacheControlFor(filePath)),
    }),
  );

  app.use((_req, res) => {
    res.status(404).type("text/plain").send("not found");
  });
  return app;
}
