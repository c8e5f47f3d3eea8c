/**
 * How to start each child. In order: an environment override (JSON argv, for tests and
 * development), `host-config.json` beside the host bundle (what a package installs), then the
 * repository layout the build produces: `audio-pipeline/target/release/sessions-audio` and
 * `swift-capture/.build/launch.json` (written by the Swift build: it says whether the binary
 * runs directly or inside the Swift root through its launcher).
 */
import fs from "node:fs";
import path from "node:path";
import type { ChildSpec } from "./child-process";

export type ChildName = ChildSpec["name"];

export function resolveChild(name: ChildName, bundleDir: string, env = process.env): ChildSpec | null {
  const override = env[name === "audio" ? "SESSIONS_AUDIO_ARGV" : "SESSIONS_CAPTURE_ARGV"];
  if (override) return { name, argv: parseArgv(override) };
  const config = readJson(path.join(bundleDir, "host-config.json")) as Partial<
    Record<ChildName, { argv?: unknown }>
  > | null;
  const configured = config?.[name]?.argv;
  if (Array.isArray(configured) && configured.every((a) => typeof a === "string")) return { name, argv: configured };
  const repo = path.resolve(bundleDir, "../..");
  if (name === "audio") {
    const bin = path.join(repo, "audio-pipeline/target/release/sessions-audio");
    return fs.existsSync(bin) ? { name, argv: [bin] } : null;
  }
  const launch = readJson(path.join(repo, "swift-capture/.build/launch.json")) as {
    argv?: unknown;
    env?: unknown;
  } | null;
  if (launch && Array.isArray(launch.argv) && launch.argv.every((a) => typeof a === "string")) {
    const env =
      launch.env && typeof launch.env === "object"
        ? Object.fromEntries(Object.entries(launch.env).filter((e): e is [string, string] => typeof e[1] === "string"))
        : undefined;
    return { name, argv: launch.argv as string[], ...(env ? { env } : {}) };
  }
  return null;
}

function parseArgv(text: string): string[] {
  const v = JSON.parse(text) as unknown;
  if (!Array.isArray(v) || v.length === 0 || !v.every((a) => typeof a === "string"))
    throw new Error("child argv override must be a non-empty JSON array of strings");
  return v;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}
