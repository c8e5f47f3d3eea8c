/**
 * The extension core in real Chromium with the real native host: the toolbar button starts and
 * stops a session through the XState machine in the service worker, segments from the host are
 * committed to the real IndexedDB and acknowledged, the side panel lists and shows the session,
 * and a service worker stopped mid-recording comes back and closes the session with what was kept.
 */
import type { Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchSessions, type SessionsBrowser } from "./lib/browser";

interface Status {
  state: string;
  sessionId: string | null;
  error: { code: string; message: string } | null;
  health: { level: string } | null;
  connection: string;
  hostVersion: string | null;
}

/** Synthetic sources so the test needs no microphone or display; 2 s segments so some arrive. */
const TEST_SETTINGS = {
  video: "test-pattern",
  mic: "synthetic:tone:440",
  systemAudio: false,
  maxWidth: 320,
  maxHeight: 240,
  fps: 10,
  segmentSeconds: 2,
};

async function status(panel: Page): Promise<Status> {
  const reply = (await panel.evaluate(() => chrome.runtime.sendMessage({ type: "session.getStatus" }))) as {
    ok: boolean;
    status: Status;
  };
  if (!reply?.ok) throw new Error(`status request failed: ${JSON.stringify(reply)}`);
  return reply.status;
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
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
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what} (last: ${String(last)})`);
}

const waitState = (panel: Page, states: string[], timeoutMs?: number) =>
  waitFor(
    `state ${states.join("|")}`,
    async () => {
      const s = await status(panel);
      return states.includes(s.state) ? s : null;
    },
    timeoutMs,
  );

/** Runs in the page: reads the session record and its segments straight from the extension's IndexedDB. */
function readSession(panel: Page, sessionId: string) {
  return panel.evaluate(
    (id) =>
      new Promise<{
        session: Record<string, unknown> | undefined;
        segments: { track: string; seq: number; bytes: number; size: number }[];
      }>((resolve, reject) => {
        const open = indexedDB.open("sessions");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction(["sessions", "segments"]);
          const s = tx.objectStore("sessions").get(id);
          const segs = tx.objectStore("segments").index("by-session").getAll(id);
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
            });
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    sessionId,
  );
}

function writeSettings(panel: Page, value: Record<string, unknown>) {
  return panel.evaluate(
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

async function pressToolbar(s: SessionsBrowser, tab: Page) {
  const ext = (await s.browser.extensions()).get(s.extensionId);
  if (!ext) throw new Error("the Sessions extension is not loaded");
  await ext.triggerAction(tab);
}

describe("extension core with the real host", () => {
  let s: SessionsBrowser;
  let panel: Page;
  let tab: Page;

  beforeAll(async () => {
    s = await launchSessions();
    await s.worker();
    panel = await s.openPage("sidepanel.html");
    tab = await s.browser.newPage();
    await writeSettings(panel, TEST_SETTINGS);
  }, 60_000);
  afterAll(async () => {
    await s?.close();
  });

  it("toolbar press records with the host, a second press stops; the session is in IndexedDB and the side panel", async () => {
    expect((await status(panel)).state).toBe("idle");
    await pressToolbar(s, tab);
    const rec = await waitState(panel, ["recording", "failed"]);
    expect(rec.error).toBeNull();
    expect(rec.state).toBe("recording");
    expect(rec.hostVersion).toMatch(/\d+\.\d+\.\d+/);
    const sessionId = rec.sessionId as string;

    // The badge shows elapsed minutes, in the health colour.
    const badge = await panel.evaluate(async () => ({
      text: await chrome.action.getBadgeText({}),
      color: await chrome.action.getBadgeBackgroundColor({}),
    }));
    expect(badge.text).toBe("0m");
    expect(badge.color.slice(0, 3)).toEqual([0x1e, 0x8e, 0x3e]);

    // Segments from the host are reassembled, committed with the session totals, and acknowledged.
    const during = await waitFor("a committed segment", async () => {
      const r = await readSession(panel, sessionId);
      return r.segments.length > 0 ? r : null;
    });
    expect(during.session?.state).toBe("recording");

    await pressToolbar(s, tab);
    const done = await waitState(panel, ["completed", "failed"]);
    expect(done.state).toBe("completed");
    expect(done.error).toBeNull();

    const stored = await waitFor("the completed record", async () => {
      const r = await readSession(panel, sessionId);
      return r.session?.state === "completed" ? r : null;
    });
    const totals = stored.session as {
      bytes: number;
      audio: { count: number; bytes: number };
      video: { count: number };
      endedAt: number;
    };
    expect(stored.segments.length).toBeGreaterThan(0);
    for (const seg of stored.segments) expect(seg.size).toBe(seg.bytes);
    expect(totals.audio.count + totals.video.count).toBe(stored.segments.length);
    expect(totals.bytes).toBe(stored.segments.reduce((n, x) => n + x.bytes, 0));
    expect(totals.endedAt).toBeGreaterThan(0);

    // The side panel lists it and opens its detail.
    await panel.reload({ waitUntil: "load" });
    const item = await panel.waitForSelector(`li[data-session-id="${sessionId}"][data-state="completed"] button`, {
      timeout: 10_000,
    });
    await item?.click();
    await panel.waitForSelector(`[data-testid="session-detail"][data-session-id="${sessionId}"]`, { timeout: 10_000 });
    const segmentsText = await panel.$eval('[data-testid="detail-segments"]', (e) => e.textContent ?? "");
    expect(segmentsText).toContain(`${totals.audio.count} audio`);
  });

  it("a service worker stopped mid-recording restarts from its persisted snapshot and closes the session", async () => {
    await pressToolbar(s, tab);
    const rec = await waitState(panel, ["recording", "failed"]);
    expect(rec.state).toBe("recording");
    const sessionId = rec.sessionId as string;
    await waitFor("a committed segment", async () => (await readSession(panel, sessionId)).segments.length > 0);
    const before = await readSession(panel, sessionId);

    const worker = await s.worker();
    const bootedAt = await worker.evaluate(() => performance.timeOrigin);
    const cdp = await panel.createCDPSession();
    await cdp.send("ServiceWorker.enable");
    await cdp.send("ServiceWorker.stopAllWorkers");
    await cdp.detach();

    // Any extension event wakes it again; the status request is one.
    const after = await waitState(panel, ["completed", "failed", "recording"], 30_000);
    const restarted = await s.worker();
    expect(await restarted.evaluate(() => performance.timeOrigin)).toBeGreaterThan(bootedAt);
    expect(after.sessionId).toBe(sessionId);

    // Its native port closed with the old worker, so the host process that recorded is gone: the
    // restored machine asks the new host, learns it has no such session, and finalizes.
    const final = await waitState(panel, ["completed", "failed"], 30_000);
    expect(final.state).toBe("completed");
    expect(final.error?.code).toBe("HOST_DISCONNECTED");
    const stored = await waitFor("the finalized record", async () => {
      const r = await readSession(panel, sessionId);
      return r.session?.state === "completed" ? r : null;
    });
    expect(stored.segments.length).toBeGreaterThanOrEqual(before.segments.length);
    expect((stored.session as { error: { code: string } }).error.code).toBe("HOST_DISCONNECTED");
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
    const failed = await waitState(panel, ["failed", "recording"]);
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
});
