/**
 * Where each Chromium-family browser looks for native messaging host manifests, per OS and
 * scope. Linux and macOS: a folder of `<host>.json` files. Windows: a registry key whose default
 * value is the manifest's path (HKCU per user, HKLM system-wide).
 */
import path from "node:path";

export const BROWSERS = ["chrome", "chromium", "edge", "brave", "vivaldi"] as const;
export type Browser = (typeof BROWSERS)[number];
export type Platform = "linux" | "darwin" | "win32";
export type Scope = "user" | "system";

interface BrowserDirs {
  linuxUser: string; // relative to $XDG_CONFIG_HOME (~/.config)
  linuxSystem: string;
  macUser: string; // relative to ~/Library/Application Support
  macSystem: string;
  winKey: string; // below HKCU / HKLM
}

const DIRS: Record<Browser, BrowserDirs> = {
  chrome: {
    linuxUser: "google-chrome/NativeMessagingHosts",
    linuxSystem: "/etc/opt/chrome/native-messaging-hosts",
    macUser: "Google/Chrome/NativeMessagingHosts",
    macSystem: "/Library/Google/Chrome/NativeMessagingHosts",
    winKey: "Software\\Google\\Chrome\\NativeMessagingHosts",
  },
  chromium: {
    linuxUser: "chromium/NativeMessagingHosts",
    linuxSystem: "/etc/chromium/native-messaging-hosts",
    macUser: "Chromium/NativeMessagingHosts",
    macSystem: "/Library/Application Support/Chromium/NativeMessagingHosts",
    winKey: "Software\\Chromium\\NativeMessagingHosts",
  },
  edge: {
    linuxUser: "microsoft-edge/NativeMessagingHosts",
    linuxSystem: "/etc/opt/edge/native-messaging-hosts",
    macUser: "Microsoft Edge/NativeMessagingHosts",
    macSystem: "/Library/Microsoft/Edge/NativeMessagingHosts",
    winKey: "Software\\Microsoft\\Edge\\NativeMessagingHosts",
  },
  brave: {
    linuxUser: "BraveSoftware/Brave-Browser/NativeMessagingHosts",
    linuxSystem: "/etc/opt/brave/native-messaging-hosts",
    macUser: "BraveSoftware/Brave-Browser/NativeMessagingHosts",
    macSystem: "/Library/BraveSoftware/Brave-Browser/NativeMessagingHosts",
    winKey: "Software\\BraveSoftware\\Brave-Browser\\NativeMessagingHosts",
  },
  vivaldi: {
    linuxUser: "vivaldi/NativeMessagingHosts",
    linuxSystem: "/etc/opt/vivaldi/native-messaging-hosts",
    macUser: "Vivaldi/NativeMessagingHosts",
    macSystem: "/Library/Application Support/Vivaldi/NativeMessagingHosts",
    winKey: "Software\\Vivaldi\\NativeMessagingHosts",
  },
};

export interface Environment {
  platform: Platform;
  home: string;
  env: Record<string, string | undefined>;
}

/** One place a manifest goes: a file, and on Windows also the registry value pointing at it. */
export interface Target {
  browser: Browser | "profile";
  scope: Scope;
  manifestPath: string;
  registry?: { hive: "HKCU" | "HKLM"; key: string };
}

export function targetFor(browser: Browser, scope: Scope, hostName: string, e: Environment): Target {
  const d = DIRS[browser];
  const file = `${hostName}.json`;
  if (e.platform === "linux") {
    const configHome = e.env.XDG_CONFIG_HOME || path.posix.join(e.home, ".config");
    const dir = scope === "system" ? d.linuxSystem : path.posix.join(configHome, d.linuxUser);
    return { browser, scope, manifestPath: path.posix.join(dir, file) };
  }
  if (e.platform === "darwin") {
    const dir = scope === "system" ? d.macSystem : path.posix.join(e.home, "Library/Application Support", d.macUser);
    return { browser, scope, manifestPath: path.posix.join(dir, file) };
  }
  // Windows: one manifest file per scope, shared by every browser, named from the registry.
  const base =
    scope === "system"
      ? path.win32.join(e.env.ProgramFiles || "C:\\Program Files", "Sessions")
      : path.win32.join(e.env.LOCALAPPDATA || path.win32.join(e.home, "AppData", "Local"), "Sessions");
  return {
    browser,
    scope,
    manifestPath: path.win32.join(base, "NativeMessagingHosts", file),
    registry: { hive: scope === "system" ? "HKLM" : "HKCU", key: `${d.winKey}\\${hostName}` },
  };
}

/** A Chromium started with --user-data-dir reads `<dir>/NativeMessagingHosts/` (Linux, macOS). */
export function profileTarget(userDataDir: string, hostName: string): Target {
  return {
    browser: "profile",
    scope: "user",
    manifestPath: path.join(path.resolve(userDataDir), "NativeMessagingHosts", `${hostName}.json`),
  };
}
