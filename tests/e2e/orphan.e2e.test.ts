/**
 * A recording nobody comes back to: the extension's service worker is stopped and not woken
 * within the recorder daemon's grace (shortened here to 4 s through SESSIONS_ORPHAN_GRACE_MS, which
 * Chromium passes on to the host). The daemon stops the session on its own, keeping its media in
 * the spool; when the worker returns, the held `stopped` arrives after every segment recorded
 * while it was away, so the session completes whole — it does not finalize ahead of its media.
 */
import type { Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionsBrowser } from "./lib/browser";
import { openTestPatternRig, pressToolbar, releaseWorker, sleep, status, waitFor, waitState } from "./lib/extension-ui";
import { readStored } from "./lib/stored-session";

interface Status {
  state: string;
  sessionId: string;
  startedAt: number;
  error: { code: string; message: string } | null;
}

const GRACE_MS = 4_000;

describe("a session left without its extension", () => {
  let s: SessionsBrowser;
  let panel: Page;
  let tab: Page;

  beforeAll(async () => {
    ({ s, panel, tab } = await openTestPatternRig({ env: { SESSIONS_ORPHAN_GRACE_MS: String(GRACE_MS) } }));
  }, 60_000);
  afterAll(async () => {
    await s?.close();
  });

  it("is stopped by the daemon after the grace and completes whole when the worker returns", async () => {
    await tab.bringToFront();
    await pressToolbar(s, tab);
    const rec = await waitState<Status>(panel, ["recording", "failed"]);
    expect(rec, JSON.stringify(rec)).toMatchObject({ state: "recording" });
    await sleep(3_000);
    const cdp = await panel.createCDPSession();
    await cdp.send("ServiceWorker.enable");
    await cdp.send("ServiceWorker.stopAllWorkers");
    await cdp.detach();
    const stoppedAt = Date.now();
    await sleep(GRACE_MS + 4_000);

    const woken = status<Status>(panel);
    await releaseWorker(s);
    const wokeAt = Date.now();
    expect((await woken).sessionId).toBe(rec.sessionId);
    const final = await waitState<Status>(panel, ["completed", "failed"], 30_000);
    expect(final, JSON.stringify(final)).toMatchObject({ state: "completed", error: null });
    const stored = await waitFor("the finalized record", async () => {
      const r = await readStored(panel, rec.sessionId);
      return r.session?.state === "completed" ? r : null;
    });
    for (const track of ["video", "audio"] as const) {
      const segs = stored.segments.filter((x) => x.track === track).sort((a, b) => a.seq - b.seq);
      expect(
        segs.map((x) => x.seq),
        `${track} segments without a hole`,
      ).toEqual(segs.map((_, i) => i));
      // It recorded on after the worker stopped (3 s in) …
      expect(segs.at(-1)?.endUs, `${track} recorded while the worker was away`).toBeGreaterThan(5_000_000);
      // … and stopped on its own, before the worker came back.
      expect(segs.at(-1)?.endUs as number).toBeLessThan((wokeAt - rec.startedAt) * 1000 - 1_000_000);
    }
    console.log(
      JSON.stringify({
        measured: {
          workerAwayMs: wokeAt - stoppedAt,
          recordedUs: stored.segments
            .map((x) => x.endUs)
            .sort()
            .at(-1),
        },
      }),
    );
  });
});
