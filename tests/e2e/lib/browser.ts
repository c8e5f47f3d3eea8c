/**
 * Test support: Debian's Chromium with the built extension loaded and the native host installed
 * into a fresh profile by the project's own installer — the same steps a person's machine takes.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import puppeteer, { type Browser, type Page, type WebWorker } from "puppeteer-core";
import { readPid } from "../../../native-host/src/daemon/instance-lock";
import { pidFile } from "../../../native-host/src/daemon/runtime-dir";
import { EXTENSION_ID } from "../../../shared/src/extension-identity";

export const ROOT = path.resolve(import.meta.dirname, "../../..");
export const EXTENSION_DIR = path.join(ROOT, ".output/chrome-mv3");
/** Read at launch, not at import: a test may point it at a wrapper (policy-chromium.ts) after importing this. */
export const chromiumPath = () => process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CLI = path.join(ROOT, "native-host/dist/cli.mjs");

/** Flags every test and benchmark Chromium runs with (ARCHITECTURE.md: no network noise, no sandbox as root). */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

export interface SessionsBrowser {
  browser: Browser;
  extensionId: string;
  userDataDir: string;
  /**
   * The recorder daemon's runtime directory for this browser (SESSIONS_RUNTIME_DIR): each browser
   * gets its own, so a daemon started for one test never serves another test's browser.
   */
  runtimeDir: string;
  /** The pid of the recorder daemon serving this browser, if one runs. */
  daemonPid(): number | null;
  /** The extension's service worker (waits for it to be running). */
  worker(): Promise<WebWorker>;
  /** Opens an extension page such as "sidepanel.html". */
  openPage(file: string): Promise<Page>;
  close(): Promise<void>;
}

export interface LaunchOptions {
  installHost?: boolean;
  /** Extra environment for Chromium (and so for the host it starts). */
  env?: Record<string, string>;
}

export async function launchSessions(options: LaunchOptions = {}): Promise<SessionsBrowser> {
  const CHROMIUM = chromiumPath();
  for (const [what, file] of [
    ["Chromium (apt-get install chromium)", CHROMIUM],
    ["the built extension (npx wxt build)", path.join(EXTENSION_DIR, "manifest.json")],
    ["the built host (npm run build:host)", CLI],
  ] as const)
    if (!fs.existsSync(file)) throw new Error(`missing ${what}: ${file}`);

  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sessions-e2e-profile-"));
  if (options.installHost !== false)
    execFileSync(process.execPath, [CLI, "install", "--user-data-dir", userDataDir], { stdio: "pipe" });

  const runtimeDir = options.env?.SESSIONS_RUNTIME_DIR ?? fs.mkdtempSync(path.join("/tmp", "sessions-e2e-rt-"));
  const daemonPid = () => readPid(pidFile(runtimeDir));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    pipe: true,
    userDataDir,
    enableExtensions: [EXTENSION_DIR],
    env: { ...process.env, SESSIONS_RUNTIME_DIR: runtimeDir, ...options.env },
    args: CHROMIUM_ARGS,
  });

  const worker = async () => {
    const target = await browser.waitForTarget(
      (t) => t.type() === "service_worker" && t.url().startsWith(`chrome-extension://${EXTENSION_ID}/`),
      { timeout: 20_000 },
    );
    const w = await target.worker();
    if (!w) throw new Error("service worker target has no worker");
    return w;
  };

  return {
    browser,
    extensionId: EXTENSION_ID,
    userDataDir,
    runtimeDir,
    daemonPid,
    worker,
    async openPage(file) {
      const page = await browser.newPage();
      await page.goto(`chrome-extension://${EXTENSION_ID}/${file}`, { waitUntil: "load" });
      return page;
    },
    async close() {
      await browser.close().catch(() => {});
      // A daemon outlives the browser by design (a session it records goes on for a grace period);
      // a test's daemon must not: its children see their stdin close and exit with it.
      const pid = daemonPid();
      if (pid)
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
