/**
 * Test support for driving the extension the way a person does — toolbar, side panel, settings —
 * and for reading its status, shared by every e2e file. Page-side helpers run whole inside the
 * extension page (puppeteer serializes them), against the IndexedDB the worker uses.
 */
import fs from "node:fs";
import path from "node:path";
import type { Page } from "puppeteer-core";
import { type LaunchOptions, launchSessions, ROOT, type SessionsBrowser } from "./browser";

/** The fields of the worker's `session.getStatus` reply that every test reads; tests widen it. */
export interface BaseStatus {
  state: string;
  sessionId: string | null;
  error: { code: string; message: string } | null;
}

/**
 * Synthetic sources (swift-capture's test pattern, a tone) so a test needs no display or
 * microphone; 2 s segments so several arrive while it runs.
 */
export const TEST_PATTERN_SETTINGS = {
  video: "test-pattern",
  mic: "synthetic:tone:440",
  systemAudio: false,
  maxWidth: 320,
  maxHeight: 240,
  fps: 10,
  segmentSeconds: 2,
};

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The installed host finds both children in the repository's build output; without them, fail loudly. */
export function requireChildren(): void {
  for (const [what, file] of [
    ["sessions-audio (bash scripts/build.d/audio.sh)", "audio-pipeline/target/release/sessions-audio"],
    ["swift-capture (bash scripts/build.d/capture.sh)", "swift-capture/.build/launch.json"],
  ] as const)
    if (!fs.existsSync(path.join(ROOT, file))) throw new Error(`missing ${what}: ${file}`);
}

export async function status<S extends BaseStatus = BaseStatus>(page: Page): Promise<S> {
  const reply = (await page.evaluate(() => chrome.runtime.sendMessage({ type: "session.getStatus" }))) as {
    ok: boolean;
    status: S;
  };
  if (!reply?.ok) throw new Error(`status request failed: ${JSON.stringify(reply)}`);
  return reply.status;
}

/** Polls `probe` until it returns something truthy; a throw counts as "not yet". */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false | "">,
  timeoutMs = 20_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await probe();
      if (v) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what} (last: ${String(last)})`);
}

export const waitState = <S extends BaseStatus = BaseStatus>(page: Page, states: string[], timeoutMs?: number) =>
  waitFor(
    `state ${states.join("|")}`,
    async () => {
      const s = await status<S>(page);
      return states.includes(s.state) ? s : null;
    },
    timeoutMs,
  );

/** Stores the person's default settings, as the options page would. */
export function writeSettings(page: Page, value: Record<string, unknown>) {
  return page.evaluate(
    (v) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open("sessions");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction("settings", "readwrite");
          tx.objectStore("settings").put({ key: "defaults", value: v, updatedAt: Date.now() });
          tx.oncomplete = () => {
            open.result.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    value,
  );
}

/** Clicks the extension's toolbar button (action.onClicked) for `tab`. */
export async function pressToolbar(s: SessionsBrowser, tab: Page) {
  const ext = (await s.browser.extensions()).get(s.extensionId);
  if (!ext) throw new Error("the Sessions extension is not loaded");
  await ext.triggerAction(tab);
}

/**
 * Puppeteer attaches to extension workers with "wait for debugger on start"; a worker that
 * restarts under the same target stays paused until told to run. A real browser has no debugger
 * attached, so this only undoes the test harness's own pause.
 */
export async function releaseWorker(s: SessionsBrowser): Promise<void> {
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    const target = s.browser.targets().find((t) => t.type() === "service_worker" && t.url().includes(s.extensionId));
    if (target) {
      const cdp = await target.createCDPSession();
      await cdp.send("Runtime.runIfWaitingForDebugger");
      const r = await cdp
        .send("Runtime.evaluate", { expression: "1", returnByValue: true, timeout: 1000 })
        .catch(() => null);
      await cdp.detach();
      if (r?.result.value === 1) return;
    }
    await sleep(200);
  }
  throw new Error("the restarted service worker did not run");
}

/**
 * A browser with the extension and the host installed, its side panel and a plain tab, the worker
 * idle and TEST_PATTERN_SETTINGS written. The worker answers only once it has opened (and created)
 * the database, so the status check comes first: writing before it would create an empty
 * version-1 database under it.
 */
export async function openTestPatternRig(options: LaunchOptions = {}) {
  const s = await launchSessions(options);
  await s.worker();
  const panel = await s.openPage("sidepanel.html");
  const tab = await s.browser.newPage();
  const { state } = await status<BaseStatus>(panel);
  if (state !== "idle") throw new Error(`the worker starts "${state}", not idle`);
  await writeSettings(panel, TEST_PATTERN_SETTINGS);
  return { s, panel, tab };
}
