#!/usr/bin/env node
// Entry of the `wasmesh` command: the CLI is bundled to dist/cli.mjs by `npm run build`.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const cli = new URL("../dist/cli.mjs", import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  console.error("wasmesh: not built yet; run `npm run build` first");
  process.exit(1);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
