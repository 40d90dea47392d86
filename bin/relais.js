#!/usr/bin/env node
// Relais runs its TypeScript sources directly with Node's type stripping (on by default from Node
// 22.18; Node 22.17 needs the flag, so we re-launch with it there). On an older Node, it re-launches
// on the Node 24 that `npm ci` installs into node_modules (the npm package `node`; npm scripts and npx
// find it there by themselves), or says what to install. Keep this file runnable by old Node versions.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url));
const [major, minor] = process.versions.node.split(".").map(Number);

/** Runs the CLI on another Node (or with flags) and exits with its status. */
function relaunch(node, flags) {
  const r = spawnSync(node, [...flags, main, ...process.argv.slice(2)], { stdio: "inherit" });
  if (r.error) throw r.error;
  process.exit(r.status ?? 1);
}

if (major < 22 || (major === 22 && minor < 17)) {
  const installed = fileURLToPath(
    new URL(`../node_modules/node/bin/node${process.platform === "win32" ? ".exe" : ""}`, import.meta.url),
  );
  if (existsSync(installed)) relaunch(installed, []);
  process.stderr.write(
    `relais: Node.js ${process.versions.node} is too old: Relais needs 22.17 or newer (24 recommended).\n` +
      `Run "npm ci" in ${fileURLToPath(new URL("..", import.meta.url))} (it installs Node 24 into node_modules), ` +
      "or install Node.js 24 (https://nodejs.org/).\n",
  );
  process.exit(1);
} else if (process.features.typescript) {
  await import(main);
} else {
  relaunch(process.execPath, ["--experimental-strip-types", "--disable-warning=ExperimentalWarning"]);
}
