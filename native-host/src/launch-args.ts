/**
 * What the browser passes on the command line. Chrome and its derivatives pass the caller's
 * origin (`chrome-extension://<id>/`) first; Windows adds `--parent-window=<hwnd>`; later versions
 * may add more. Only the origin matters; everything else is ignored on purpose.
 */
import fs from "node:fs";
import path from "node:path";
import { EXTENSION_ORIGIN } from "@sessions/shared/extension-identity";

export interface LaunchArgs {
  origin: string | null;
  ignored: string[];
}

export function parseLaunchArgs(argv: readonly string[]): LaunchArgs {
  const origin = argv.find((a) => /^chrome-extension:\/\/[a-p]{32}\/?$/.test(a)) ?? null;
  return { origin, ignored: argv.filter((a) => a !== origin) };
}

/** Trailing slash optional; IDs are compared exactly. */
export function normalizeOrigin(origin: string): string {
  return origin.endsWith("/") ? origin : `${origin}/`;
}

/**
 * Allowed callers: the Sessions extension, plus any listed in `host-config.json` beside the host
 * bundle (written by `install --extension-id`), plus SESSIONS_ALLOWED_ORIGINS (comma-separated,
 * for development builds with another key).
 */
export function allowedOrigins(bundleDir: string, env: NodeJS.ProcessEnv = process.env): Set<string> {
  const origins = new Set([EXTENSION_ORIGIN]);
  const configFile = path.join(bundleDir, "host-config.json");
  if (fs.existsSync(configFile)) {
    try {
      const config = JSON.parse(fs.readFileSync(configFile, "utf8")) as { allowedOrigins?: unknown };
      if (Array.isArray(config.allowedOrigins))
        for (const o of config.allowedOrigins) if (typeof o === "string") origins.add(normalizeOrigin(o));
    } catch {
      // a broken config file narrows nothing: only the built-in origin stays allowed
    }
  }
  for (const o of (env.SESSIONS_ALLOWED_ORIGINS ?? "").split(",")) if (o.trim()) origins.add(normalizeOrigin(o.trim()));
  return origins;
}
