import path from "node:path";
import { fileURLToPath } from "node:url";
import { createApp } from "./app.js";

const port = Number(process.env.PORT ?? 3000);
const version = process.env.APP_VERSION ?? "dev";

// dist/server.js next to dist/public, where `npm run build` writes the web page.
const publicDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "public");

const server = createApp({ version, publicDir }).listen(port, () => {
  console.log(`pixels-web ${version} listening on :${port}`);
});

// ECS sends SIGTERM on scale-in and deploys; finish in-flight requests within the deregistration delay.
process.on("SIGTERM", () => server.close(() => process.exit(0)));
