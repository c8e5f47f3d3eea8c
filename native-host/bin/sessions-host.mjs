#!/usr/bin/env node
// `npx sessions-host <install|uninstall|doctor>`: the installer CLI, built by `npm run build:host`.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../dist/cli.mjs", import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write("sessions-host: the host is not built yet; run `npm run build:host` (or `npm start`) first\n");
  process.exit(2);
}
const { main } = await import(cli);
process.exit(await main(process.argv.slice(2)));
