#!/usr/bin/env node
// Relais runs its TypeScript sources directly with Node's type stripping (on by default from Node
// 22.18; Node 22.17 needs the flag, so we re-launch with it there).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url));
if (process.features.typescript) {
  await import(main);
} else {
  const r = spawnSync(process.execPath, ["--experimental-strip-types", "--disable-warning=ExperimentalWarning", main, ...process.argv.slice(2)], {
    stdio: "inherit",
  });
  process.exit(r.status ?? 1);
}
