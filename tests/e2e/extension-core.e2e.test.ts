/**
 * The extension core in real Chromium with the real native host: the toolbar button starts and
 * stops a session through the XState machine in the service worker, segments from the host are
 * committed to the real IndexedDB and acknowledged, the side panel lists and shows the session,
 * and a service worker stopped mid-recording comes back to a recording that went on without it.
 */
import fs from "node:fs";
import type { Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchSessions, type SessionsBrowser } from "./lib/browser";
import { openTestPatternRig, pressToolbar, releaseWorker, sleep, status, waitFor, waitState } from "./lib/extension-ui";

interface Status {
  state: string;
  sessionId: string | null;
  error: { code: string; message: string } | null;
  health: { level: string } | null;
  connection: string;
  hostVersion: string | null;
}

/** Runs in the page: reads the session record, its segments and screenshots straight from the extension's IndexedDB. */
function readSession(panel: Page, sessionId: string) {
  return panel.evaluate(
    (id) =>
      new Promise<{
        session: Record<string, unknown> | undefined;
        segments: { track: string; seq: number; bytes: number; size: number }[];
        screenshots: { seq: number; bytes: number; size: number }[];
      }>((resolve, reject) => {
        const open = indexedDB.open("sessions");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction(["sessions", "segments", "screenshots"]);
          const s = tx.objectStore("sessions").get(id);
          const segs = tx.objectStore("segments").index("by-session").getAll(id);
          const shots = tx.objectStore("screenshots").index("by-session").getAll(id);
          tx.oncomplete = () => {
            open.result.close();
            resolve({
              session: s.result,
              segments: segs.result.map((r: { track: string; seq: number; bytes: number; data: Blob }) => ({
                track: r.track,
                seq: r.seq,
                bytes: r.bytes,
                size: r.data.size,
              })),
              screenshots: shots.result.map((r: { seq: number; bytes: number; data: Blob }) => ({
                seq: r.seq,
                bytes: r.bytes,
                size: r.data.size,
              })),
            });
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    sessionId,
  );
}

async function clickButton(page: Page, label: string) {
  const buttons = await page.$$('[data-testid="active-session"] button');
  for (const b of buttons) {
    if ((await b.evaluate((e) => e.textContent)) === label) return b.click();
  }
  throw new Error(`no "${label}" button in the active session`);
}

/** The worker's performance.timeOrigin: a new value means a new worker instance. */
async function workerTimeOrigin(s: SessionsBrowser): Promise<number> {
  const target = await s.browser.waitForTarget((t) => t.type() === "service_worker" && t.url().includes(s.extensionId));
  const cdp = await target.createCDPSession();
  try {
    const r = await cdp.send("Runtime.evaluate", { expression: "performance.timeOrigin", returnByValue: true });
    return r.result.value as number;
  } finally {
    await cdp.detach();
  }
}

describe("extension core with the real host", () => {
  let s: SessionsBrowser;
  let panel: Page;
  let tab: Page;

  beforeAll(async () => {
    ({ s, panel, tab } = await openTestPatternRig());
  }, 60_000);
  afterAll(async () => {
    await s?.close();
  });

  it("toolbar press records with the host, a second press stops; the session is in IndexedDB and the side panel", async () => {
    const sidePanels = () =>
      s.browser.targets().filter((t) => t.url() === `chrome-extension://${s.extensionId}/sidepanel.html`).length;
    expect(sidePanels()).toBe(1); // the test's own page
    await pressToolbar(s, tab);
    const rec = await waitState<Status>(panel, ["recording", "failed"]);
    expect(rec, JSON.stringify(rec)).toMatchObject({ state: "recording", error: null });
    expect(rec.hostVersion).toMatch(/\d+\.\d+\.\d+/);
    const sessionId = rec.sessionId as string;

    // The badge shows elapsed minutes, in the health colour.
    const badge = await panel.evaluate(async () => ({
      text: await chrome.action.getBadgeText({}),
      color: await chrome.action.getBadgeBackgroundColor({}),
    }));
    expect(badge.text).toBe("0m");
    expect(badge.color.slice(0, 3)).toEqual([0x1e, 0x8e, 0x3e]);

    // The click opened the side panel (a second sidepanel.html beside the test's own page).
    expect(sidePanels()).toBe(2);

    // Pause and resume from the side panel's buttons; the badge follows.
    await panel.bringToFront();
    await panel.waitForSelector('[data-testid="active-session"][data-state="recording"]', { timeout: 10_000 });
    await clickButton(panel, "Pause");
    await waitState<Status>(panel, ["paused"]);
    expect(await panel.evaluate(() => chrome.action.getBadgeText({}))).toBe("II");
    await panel.waitForSelector('[data-testid="active-session"][data-state="paused"]', { timeout: 10_000 });
    await clickButton(panel, "Resume");
    await waitState<Status>(panel, ["recording"]);
    await tab.bringToFront();

    // Segments from the host are reassembled, committed with the session totals, and acknowledged.
    const during = await waitFor("a committed video and audio segment", async () => {
      const r = await readSession(panel, sessionId);
      const tracks = new Set(r.segments.map((x) => x.track));
      return tracks.has("video") && tracks.has("audio") ? r : null;
    });
    expect(during.session?.state).toBe("recording");

    await pressToolbar(s, tab);
    const done = await waitState<Status>(panel, ["completed", "failed"]);
    expect(done, JSON.stringify(done)).toMatchObject({ state: "completed", error: null });
    const stored = await waitFor("the completed record", async () => {
      const r = await readSession(panel, sessionId);
      return r.session?.state === "completed" ? r : null;
    });
    const totals = stored.session as {
      bytes: number;
      audio: { count: number; bytes: number };
      video: { count: number };
      screenshots: { count: number };
      endedAt: number;
    };
    expect(stored.segments.length).toBeGreaterThan(0);
    for (const item of [...stored.segments, ...stored.screenshots]) expect(item.size).toBe(item.bytes);
    expect(totals.audio.count + totals.video.count).toBe(stored.segments.length);
    expect(totals.screenshots.count).toBe(stored.screenshots.length);
    const sum = (xs: { bytes: number }[]) => xs.reduce((n, x) => n + x.bytes, 0);
    expect(totals.bytes).toBe(sum(stored.segments) + sum(stored.screenshots));
    expect(totals.endedAt).toBeGreaterThan(0);

    // The side panel lists it and opens its detail.
    // A background tab gets no animation frames, which puppeteer's clicks and the panel's paint wait for.
    await panel.bringToFront();
    await panel.reload({ waitUntil: "load" });
    const item = await panel.waitForSelector(`li[data-session-id="${sessionId}"][data-state="completed"] button`, {
      timeout: 10_000,
    });
    await item?.click();
    await panel.waitForSelector(`[data-testid="session-detail"][data-session-id="${sessionId}"]`, { timeout: 10_000 });
    const segmentsText = await panel.$eval('[data-testid="detail-segments"]', (e) => e.textContent ?? "");
    expect(segmentsText).toContain(`${totals.video.count} video, ${totals.audio.count} audio`);
    expect(totals.video.count).toBeGreaterThan(0);
  });

  it("a service worker stopped mid-recording: the daemon records on, the woken worker reattaches, the session completes whole", async () => {
    await tab.bringToFront();
    await pressToolbar(s, tab);
    const rec = await waitState<Status>(panel, ["recording", "failed"]);
    expect(rec, JSON.stringify(rec)).toMatchObject({ state: "recording" });
    const sessionId = rec.sessionId as string;
    await waitFor("a committed segment", async () => (await readSession(panel, sessionId)).segments.length > 0);
    const daemon = s.daemonPid();
    expect(daemon, "a recorder daemon runs the session").toBeGreaterThan(0);
    // The alarm that wakes a stopped worker while the session is active.
    const tick = await panel.evaluate(() => chrome.alarms.get("sessions-session-tick"));
    expect(tick?.periodInMinutes).toBe(0.5);

    const bootedAt = await workerTimeOrigin(s);
    const cdp = await panel.createCDPSession();
    await cdp.send("ServiceWorker.enable");
    await cdp.send("ServiceWorker.stopAllWorkers");
    await cdp.detach();
    // Chrome closed the worker's native port and its host process; the daemon is not theirs.
    await sleep(3_000);
    expect(fs.existsSync(`/proc/${daemon}`), "the daemon outlived the port").toBe(true);
    const during = await readSession(panel, sessionId);

    // Any extension event wakes the worker (the tick alarm would within 30 s); a status request is one.
    const woken = status<Status>(panel);
    await releaseWorker(s);
    const after = await woken;
    expect(await workerTimeOrigin(s)).toBeGreaterThan(bootedAt);
    expect(after).toMatchObject({ sessionId, state: "recording" });
    // What was recorded while no worker listened arrives on the new connection.
    await waitFor(
      "segments from the time the worker was away",
      async () => (await readSession(panel, sessionId)).segments.length >= during.segments.length + 4,
      30_000,
    );

    await pressToolbar(s, tab);
    const final = await waitState<Status>(panel, ["completed", "failed"], 30_000);
    expect(final, JSON.stringify(final)).toMatchObject({ state: "completed", error: null });
    const stored = await waitFor("the finalized record", async () => {
      const r = await readSession(panel, sessionId);
      return r.session?.state === "completed" ? r : null;
    });
    expect(stored.session?.error ?? null).toBeNull();
    for (const track of ["video", "audio"]) {
      const seqs = stored.segments
        .filter((x) => x.track === track)
        .map((x) => x.seq)
        .sort((a, b) => a - b);
      expect(seqs.length, `${track} segments`).toBeGreaterThan(3);
      expect(seqs, `${track} segments without a hole`).toEqual(seqs.map((_, i) => i));
    }
  });
});

describe("extension core without a host installed", () => {
  let s: SessionsBrowser;
  beforeAll(async () => {
    s = await launchSessions({ installHost: false });
    await s.worker();
  }, 60_000);
  afterAll(async () => {
    await s?.close();
  });

  it("the session fails with HOST_NOT_FOUND and the side panel shows how to install the host", async () => {
    const panel = await s.openPage("sidepanel.html");
    await pressToolbar(s, await s.browser.newPage());
    const failed = await waitState<Status>(panel, ["failed", "recording"]);
    expect(failed.state).toBe("failed");
    expect(failed.error?.code).toBe("HOST_NOT_FOUND");
    const badge = await panel.evaluate(() => chrome.action.getBadgeText({}));
    expect(badge).toBe("!");
    await panel.waitForSelector('[data-testid="install-help"]', { timeout: 10_000 });
    const help = await panel.$eval('[data-testid="install-help"]', (e) => e.textContent ?? "");
    expect(help).toContain("com.sessions.host");
    expect(help).toContain(s.extensionId);
    const stored = await readSession(panel, failed.sessionId as string);
    expect(stored.session).toMatchObject({ state: "failed", error: { code: "HOST_NOT_FOUND" } });
  });

  it("the options page saves recording defaults into IndexedDB, validated", async () => {
    const options = await s.openPage("options.html");
    await options.bringToFront();
    const fps = await options.waitForSelector('[data-testid="options-form"] input[type="number"]', { timeout: 10_000 });
    await fps?.click({ count: 3 });
    await fps?.type("15");
    const save = await options.$('[data-testid="options-form"] button[type="submit"]');
    await save?.click();
    await options.waitForFunction(
      () => document.querySelector('[data-testid="options-message"]')?.textContent === "Saved.",
      { timeout: 10_000 },
    );
    const stored = await options.evaluate(
      () =>
        new Promise<unknown>((resolve, reject) => {
          const open = indexedDB.open("sessions");
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const get = open.result.transaction("settings").objectStore("settings").get("defaults");
            get.onsuccess = () => {
              open.result.close();
              resolve(get.result?.value);
            };
          };
        }),
    );
    expect(stored).toMatchObject({ fps: 15, segmentSeconds: 10, layout: "passthrough" });
  });
});
