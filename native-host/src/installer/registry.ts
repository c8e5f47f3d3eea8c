/**
 * Windows registry access through reg.exe (present on every Windows since XP), so the installer
 * needs no native module. Kept behind an interface: reg.exe cannot exist on the Linux machines
 * that test this, so tests record the calls instead.
 */
import { execFileSync } from "node:child_process";

export interface Registry {
  setDefault(hive: "HKCU" | "HKLM", key: string, value: string): void;
  remove(hive: "HKCU" | "HKLM", key: string): void;
  /** The key's default value, or null when the key does not exist. */
  getDefault(hive: "HKCU" | "HKLM", key: string): string | null;
}

export const regExe: Registry = {
  setDefault(hive, key, value) {
    execFileSync("reg.exe", ["add", `${hive}\\${key}`, "/ve", "/t", "REG_SZ", "/d", value, "/f"], { stdio: "pipe" });
  },
  remove(hive, key) {
    try {
      execFileSync("reg.exe", ["delete", `${hive}\\${key}`, "/f"], { stdio: "pipe" });
    } catch {
      // absent already
    }
  },
  getDefault(hive, key) {
    try {
      const out = execFileSync("reg.exe", ["query", `${hive}\\${key}`, "/ve"], { stdio: "pipe", encoding: "utf8" });
      return parseRegQueryDefault(out);
    } catch {
      return null;
    }
  },
};

/** reg.exe prints e.g. `    (Default)    REG_SZ    C:\path\file.json`. */
export function parseRegQueryDefault(output: string): string | null {
  const line = output.split(/\r?\n/).find((l) => /REG_(EXPAND_)?SZ/.test(l));
  if (!line) return null;
  const m = line.match(/REG_(?:EXPAND_)?SZ\s+(.*)$/);
  return m?.[1]?.trim() || null;
}
