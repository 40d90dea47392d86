// Express 5's hello world, the floor every read is compared with: `res.send("Hello World!")`.
import type { AddressInfo } from "node:net";
import express from "express";

const app = express();
app.get("/", (_req, res) => {
  res.send("Hello World!");
});
const server = app.listen(0, "127.0.0.1", () => {
  process.stdout.write(`hello world on port ${(server.address() as AddressInfo).port}\n`);
});
server.keepAliveTimeout = 60_000;
process.on("SIGTERM", () => server.close(() => process.exit(0)));
