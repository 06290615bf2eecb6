import { createApp } from "./app.js";

const port = Number(process.env.PORT ?? 3000);
const version = process.env.APP_VERSION ?? "dev";

const server = createApp({ version }).listen(port, () => {
  console.log(`pixels-web ${version} listening on :${port}`);
});

// ECS sends SIGTERM on scale-in and deploys; finish in-flight requests within the deregistration delay.
process.on("SIGTERM", () => server.close(() => process.exit(0)));
