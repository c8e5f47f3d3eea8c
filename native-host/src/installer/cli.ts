/**
 * `sessions-host <install|uninstall|doctor> [--browser B]… [--user-data-dir DIR] [--system]
 *   [--launcher PATH] [--extension-id ID]… [--dest-dir DIR] [--json] [--live]`
 * Output is for people (or JSON with --json); the exit code says it: 0 ok, 1 problems found,
 * 2 usage error, 3 nothing installed (doctor).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { EXTENSION_ID, HOST_NAME } from "@sessions/shared";
import { daemonStatus, describeDaemon } from "../daemon/daemon-status";
import {
  BROWSERS,
  type Browser,
  type Environment,
  type Platform,
  profileTarget,
  type Target,
  targetFor,
} from "./browsers";
import { type DoctorEntry, doctor, install, uninstall } from "./install";
import { liveHandshake } from "./live-check";
import { regExe } from "./registry";

const USAGE = `usage: sessions-host <install|uninstall|doctor> [options]
  --browser B         chrome, chromium, edge, brave or vivaldi (repeatable; default: all)
  --user-data-dir DIR a browser profile started with --user-data-dir (Linux, macOS)
  --system            system-wide locations (needs root / admin)
  --launcher PATH     what the manifest runs (default: the launcher built beside this CLI)
  --extension-id ID   also allow this extension (repeatable)
  --dest-dir DIR      write below DIR instead of / (packaging)
  --json              machine-readable output
  --live              doctor: also start the host and complete a handshake`;

export async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { command, values } = parsed;
  const env: Environment = { platform: platformOf(process.platform), home: os.homedir(), env: process.env };
  const targets = resolveTargets(values, env);
  const destDir = values["dest-dir"];
  const json = values.json === true;

  if (command === "install") {
    const launcher = path.resolve(values.launcher ?? defaultLauncher(env.platform));
    const ids = [EXTENSION_ID, ...(values["extension-id"] ?? [])];
    const written = install(targets, { hostName: HOST_NAME, launcher, extensionIds: ids, registry: regExe, destDir });
    print(json, { installed: written, launcher }, () => written.map((f) => `installed ${f}`).join("\n"));
    return 0;
  }
  if (command === "uninstall") {
    const removed = uninstall(targets, { registry: regExe, destDir });
    print(json, { removed }, () =>
      removed.length ? removed.map((f) => `removed ${f}`).join("\n") : "nothing to remove",
    );
    return 0;
  }
  const entries = doctor(targets, { hostName: HOST_NAME, extensionId: EXTENSION_ID, registry: regExe, destDir });
  if (values.live) await addLiveChecks(entries);
  const installed = entries.filter((e) => e.installed);
  const broken = installed.filter((e) => e.problems.length > 0);
  const daemon = daemonStatus();
  print(
    json,
    { entries, installed: installed.length, broken: broken.length, daemon },
    () => `${formatDoctor(entries)}\n${describeDaemon(daemon)}`,
  );
  if (installed.length === 0) return 3;
  return broken.length > 0 ? 1 : 0;
}

function parse(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      browser: { type: "string", multiple: true },
      "user-data-dir": { type: "string" },
      system: { type: "boolean" },
      launcher: { type: "string" },
      "extension-id": { type: "string", multiple: true },
      "dest-dir": { type: "string" },
      json: { type: "boolean" },
      live: { type: "boolean" },
    },
  });
  const command = positionals[0];
  if (command !== "install" && command !== "uninstall" && command !== "doctor")
    throw new Error(`unknown command ${command ?? "(none)"}`);
  if (positionals.length > 1) throw new Error(`unexpected argument ${positionals[1]}`);
  const browsers = (values.browser ?? []).flatMap((b) => b.split(","));
  for (const b of browsers) if (!BROWSERS.includes(b as Browser)) throw new Error(`unknown browser ${b}`);
  for (const id of values["extension-id"] ?? [])
    if (!/^[a-p]{32}$/.test(id)) throw new Error(`extension id ${id} is not 32 letters a-p`);
  if (values["user-data-dir"] && values.system) throw new Error("--user-data-dir and --system exclude each other");
  return { command, values: { ...values, browser: browsers as Browser[] } };
}

function resolveTargets(values: ReturnType<typeof parse>["values"], env: Environment): Target[] {
  if (values["user-data-dir"]) return [profileTarget(values["user-data-dir"], HOST_NAME)];
  const browsers = values.browser.length ? values.browser : [...BROWSERS];
  return browsers.map((b) => targetFor(b, values.system ? "system" : "user", HOST_NAME, env));
}

function defaultLauncher(platform: Platform): string {
  const dir = path.dirname(new URL(import.meta.url).pathname);
  const file = path.join(dir, platform === "win32" ? "sessions-host.bat" : "sessions-host");
  if (!fs.existsSync(file)) throw new Error(`no launcher at ${file}: run npm run build:host first`);
  return file;
}

async function addLiveChecks(entries: DoctorEntry[]): Promise<void> {
  for (const e of entries.filter((x) => x.installed && x.problems.length === 0)) {
    const manifest = JSON.parse(fs.readFileSync(e.manifestPath, "utf8")) as { path: string };
    const problem = await liveHandshake(manifest.path);
    if (problem) e.problems.push(problem);
  }
}

function formatDoctor(entries: DoctorEntry[]): string {
  const installed = entries.filter((e) => e.installed);
  if (installed.length === 0) return `nothing installed (looked in ${entries.length} places)`;
  return installed
    .map((e) =>
      e.problems.length
        ? `✗ ${e.browser} (${e.scope}) ${e.manifestPath}\n${e.problems.map((p) => `    - ${p}`).join("\n")}`
        : `✓ ${e.browser} (${e.scope}) ${e.manifestPath}`,
    )
    .join("\n");
}

function print(json: boolean, data: unknown, text: () => string): void {
  process.stdout.write(`${json ? JSON.stringify(data, null, 2) : text()}\n`);
}

function platformOf(p: NodeJS.Platform): Platform {
  return p === "darwin" || p === "win32" ? p : "linux";
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("cli.mjs")) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`sessions-host: ${(e as Error).message}\n`);
      process.exit(1);
    },
  );
}
