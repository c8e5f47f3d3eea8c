/**
 * install / uninstall / doctor over a list of targets. Install writes each manifest atomically
 * (temp file + rename) and, on Windows, the registry value; uninstall removes only what it would
 * have written; doctor reads everything back and checks it would actually work: valid manifest,
 * absolute path to an executable launcher whose Node and bundle exist, our origin allowed.
 */
import fs from "node:fs";
import path from "node:path";
import type { Target } from "./browsers";
import { buildManifest, HostManifest } from "./host-manifest";
import type { Registry } from "./registry";

export interface InstallOptions {
  hostName: string;
  launcher: string;
  extensionIds: string[];
  registry: Registry;
  /** Prefix for every path written (packaging into a staging root, like DESTDIR). */
  destDir?: string;
}

const at = (destDir: string | undefined, p: string) => (destDir ? path.join(destDir, p) : p);

export function install(targets: Target[], o: InstallOptions): string[] {
  const manifest = buildManifest(o.hostName, o.launcher, o.extensionIds);
  const written: string[] = [];
  for (const t of targets) {
    const file = at(o.destDir, t.manifestPath);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o644 });
    fs.renameSync(tmp, file);
    if (t.registry) o.registry.setDefault(t.registry.hive, t.registry.key, t.manifestPath);
    written.push(file);
  }
  return written;
}

export function uninstall(targets: Target[], o: Pick<InstallOptions, "registry" | "destDir">): string[] {
  const removed: string[] = [];
  for (const t of targets) {
    const file = at(o.destDir, t.manifestPath);
    if (fs.existsSync(file)) {
      fs.rmSync(file);
      removed.push(file);
    }
    if (t.registry && o.registry.getDefault(t.registry.hive, t.registry.key) !== null) {
      o.registry.remove(t.registry.hive, t.registry.key);
      removed.push(`${t.registry.hive}\\${t.registry.key}`);
    }
  }
  return removed;
}

export interface DoctorEntry {
  browser: string;
  scope: string;
  manifestPath: string;
  installed: boolean;
  problems: string[];
}

export interface DoctorOptions {
  hostName: string;
  extensionId: string;
  registry: Registry;
  destDir?: string;
}

export function doctor(targets: Target[], o: DoctorOptions): DoctorEntry[] {
  return targets.map((t) => {
    const entry: DoctorEntry = {
      browser: t.browser,
      scope: t.scope,
      manifestPath: t.manifestPath,
      installed: false,
      problems: [],
    };
    let manifestPath = t.manifestPath;
    if (t.registry) {
      const value = o.registry.getDefault(t.registry.hive, t.registry.key);
      if (value === null) return entry;
      manifestPath = value;
      entry.manifestPath = value;
    }
    const file = at(o.destDir, manifestPath);
    if (!fs.existsSync(file)) {
      if (t.registry) {
        entry.installed = true;
        entry.problems.push(`registry points at ${manifestPath}, which does not exist`);
      }
      return entry;
    }
    entry.installed = true;
    entry.problems.push(...checkManifestFile(file, o));
    return entry;
  });
}

function checkManifestFile(file: string, o: DoctorOptions): string[] {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    return [`manifest is not valid JSON: ${(e as Error).message}`];
  }
  const parsed = HostManifest.safeParse(raw);
  if (!parsed.success)
    return parsed.error.issues.map((i) => `manifest field ${i.path.join(".") || "(root)"}: ${i.message}`);
  const m = parsed.data;
  const problems: string[] = [];
  if (m.name !== o.hostName) problems.push(`manifest name is ${m.name}, expected ${o.hostName}`);
  if (file.split(/[\\/]/).pop() !== `${m.name}.json`) problems.push(`file name must be ${m.name}.json`);
  if (!m.allowed_origins.includes(`chrome-extension://${o.extensionId}/`))
    problems.push(`allowed_origins does not name chrome-extension://${o.extensionId}/`);
  problems.push(...checkLauncher(m.path, o.destDir));
  return problems;
}

/** The launcher must be an absolute, executable file; a generated shell launcher's targets must exist. */
export function checkLauncher(manifestPath: string, destDir?: string): string[] {
  const win = /^[A-Za-z]:\\/.test(manifestPath);
  if (!win && !path.isAbsolute(manifestPath)) return [`path ${manifestPath} is not absolute`];
  const launcher = at(destDir, manifestPath);
  if (!fs.existsSync(launcher)) return [`launcher ${launcher} does not exist`];
  const problems: string[] = [];
  if (!win) {
    try {
      fs.accessSync(launcher, fs.constants.X_OK);
    } catch {
      problems.push(`launcher ${launcher} is not executable`);
    }
  }
  const text = fs.readFileSync(launcher).subarray(0, 4096).toString("utf8");
  const exec = text.match(/^exec "([^"]+)" "([^"]+)"/m);
  if (exec) {
    for (const target of [exec[1], exec[2]] as string[])
      if (!fs.existsSync(target)) problems.push(`launcher runs ${target}, which does not exist`);
  }
  return problems;
}
