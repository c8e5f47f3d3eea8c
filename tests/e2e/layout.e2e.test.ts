/**
 * Switching the layout while recording, everything real: Xvfb with three ffplay windows (moving
 * test pictures, all 4:3), Chromium with the built extension, the installed host and
 * swift-capture. The side panel's picker starts the three windows in a grid ("Record selected",
 * the session.startWith path); the active session's layout select switches to side by side
 * mid-recording. From the extension's real IndexedDB: the switch was answered (status, record and
 * a `layout` timeline event), recording went on without holes, every video segment decodes at
 * 1280×720, and the pictures themselves change layout: the last frame of every segment before
 * the switch is a 2×2 grid, of every segment after it one row — told apart by where the canvas
 * is black (the gaps between cells, the letterbox bands above and below the row).
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probe } from "../integration/media";
import { type Desktop, startDesktop } from "../support/desktop";
import { launchSessions, type SessionsBrowser } from "./lib/browser";
import { type BaseStatus, requireChildren, sleep, status, waitFor, waitState, writeSettings } from "./lib/extension-ui";
import { readStored, type StoredSegment } from "./lib/stored-session";

interface Status extends BaseStatus {
  sources: string[];
  layout: string | null;
  elapsedMs: number;
}

const WIDTH = 1280;
const HEIGHT = 720;
const SETTINGS = { mic: null, systemAudio: false, segmentSeconds: 2, fps: 15, maxWidth: WIDTH, maxHeight: HEIGHT };
/** Frames are compared at a tenth of the canvas: 128×72, one byte of luma per pixel. */
const SCALE = 10;
const W = WIDTH / SCALE;
const H = HEIGHT / SCALE;

/**
 * Regions of the canvas (in full-size pixels) and what each layout puts there, for three 4:3
 * sources on 1280×720 (swift-capture's FrameCompositor: each source aspect-fit in its space):
 * grid 2×2 → cells 640×360, each source 480×360 centred in its cell (x 80–560 and 720–1200);
 * side by side → one row 319 px high at y 200–519 across the width.
 */
const REGIONS = {
  /** Above the side-by-side row; the grid's first source. */
  top: { x0: 120, x1: 520, y0: 30, y1: 160 },
  /** Below the side-by-side row; the grid's third source. */
  bottom: { x0: 120, x1: 520, y0: 560, y1: 700 },
  /** The grid's gap between the two columns; the middle of the side-by-side row. */
  middle: { x0: 580, x1: 700, y0: 230, y1: 490 },
} as const;
type Region = keyof typeof REGIONS;
const EXPECTED: Record<"grid" | "side-by-side", Record<Region, "content" | "black">> = {
  grid: { top: "content", bottom: "content", middle: "black" },
  "side-by-side": { top: "black", bottom: "black", middle: "content" },
};

/** The last frame of an fMP4 segment, decoded by the real ffmpeg, as 128×72 luma. */
function lastFrame(seg: StoredSegment, dir: string): Uint8Array {
  const file = path.join(dir, `video-${seg.seq}.mp4`);
  fs.writeFileSync(file, Buffer.from(seg.b64, "base64"));
  const out = execFileSync(
    "ffmpeg",
    ["-v", "error", "-i", file, "-vf", `scale=${W}:${H}:flags=area,format=gray`, "-f", "rawvideo", "-"],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const frames = Math.floor(out.length / (W * H));
  if (frames === 0) throw new Error(`segment ${seg.seq} decoded to no frame`);
  return new Uint8Array(out.buffer, out.byteOffset + (frames - 1) * W * H, W * H);
}

function meanLuma(frame: Uint8Array, r: (typeof REGIONS)[Region]): number {
  let sum = 0;
  let n = 0;
  for (let y = r.y0 / SCALE; y < r.y1 / SCALE; y++)
    for (let x = r.x0 / SCALE; x < r.x1 / SCALE; x++) {
      sum += frame[y * W + x] as number;
      n++;
    }
  return sum / n;
}

/** Each region's mean luma and what it looks like: black (< 20), content (> 45), or unclear. */
function lookOf(frame: Uint8Array): Record<Region, { mean: number; is: "content" | "black" | "unclear" }> {
  const look = {} as Record<Region, { mean: number; is: "content" | "black" | "unclear" }>;
  for (const name of Object.keys(REGIONS) as Region[]) {
    const mean = meanLuma(frame, REGIONS[name]);
    look[name] = { mean: Math.round(mean), is: mean < 20 ? "black" : mean > 45 ? "content" : "unclear" };
  }
  return look;
}

async function clickButton(page: Page, scope: string, label: string) {
  const buttons = await page.$$(`${scope} button`);
  for (const b of buttons) if ((await b.evaluate((e) => e.textContent?.trim())) === label) return b.click();
  throw new Error(`no "${label}" button in ${scope}`);
}

describe("layout switch while recording: side panel, host, swift-capture, IndexedDB", () => {
  let desktop: Desktop;
  let s: SessionsBrowser;
  let panel: Page;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "sessions-layout-e2e-"));

  beforeAll(async () => {
    requireChildren();
    desktop = await startDesktop({ windows: ["Layout One", "Layout Two", "Layout Three"] });
    s = await launchSessions({ env: desktop.env });
    await s.worker();
    panel = await s.openPage("sidepanel.html");
    expect((await status<Status>(panel)).state).toBe("idle");
    await writeSettings(panel, SETTINGS);
  }, 90_000);
  afterAll(async () => {
    await s?.close();
    await desktop?.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  it("switches three windows from a grid to side by side mid-recording; the segments after it show the new layout", async () => {
    // ── pick the three windows in a grid and record them from the side panel ──
    await panel.bringToFront();
    await panel.reload({ waitUntil: "load" });
    const ids = ["Layout One", "Layout Two", "Layout Three"].map((t) => `x11:${desktop.windows.get(t)}`);
    for (const id of ids) {
      const box = await panel.waitForSelector(`[data-testid="source-picker"] input[data-source-id="${id}"]`, {
        timeout: 30_000,
      });
      await box?.click();
    }
    await panel.select('[data-testid="layout-select"]', "grid");
    await clickButton(panel, '[data-testid="source-picker"]', "Record selected (3)");
    const rec = await waitState<Status>(panel, ["recording", "failed"], 30_000);
    expect(rec, JSON.stringify(rec)).toMatchObject({ state: "recording", error: null, layout: "grid" });
    expect(rec.sources).toEqual(ids);
    const sessionId = rec.sessionId as string;
    await panel.waitForSelector('[data-testid="live-layout"][data-layout="grid"]', { timeout: 10_000 });

    // ── three segments in the grid, then the switch from the active session's select ──
    await waitFor(
      "three grid segments committed",
      async () => (await readStored(panel, sessionId)).segments.filter((x) => x.track === "video").length >= 3,
      20_000,
    );
    await panel.select('[data-testid="live-layout-select"]', "side-by-side");
    const switched = await waitFor("the host's answer to the switch", async () => {
      const st = await status<Status>(panel);
      return st.layout === "side-by-side" ? st : null;
    });
    expect(switched).toMatchObject({ state: "recording", error: null, sources: ids });
    await panel.waitForSelector('[data-testid="live-layout"][data-layout="side-by-side"]', { timeout: 10_000 });
    // the select offers no one-source layout while three sources are recorded
    const options = await panel.$$eval('[data-testid="live-layout-select"] option', (os) =>
      os.map((o) => ({ value: (o as HTMLOptionElement).value, disabled: (o as HTMLOptionElement).disabled })),
    );
    expect(options).toContainEqual({ value: "passthrough", disabled: true });
    await sleep(6_000);

    // ── stop from the side panel ──
    await clickButton(panel, '[data-testid="active-session"]', "Stop");
    const done = await waitState<Status>(panel, ["completed", "failed"], 30_000);
    expect(done, JSON.stringify(done)).toMatchObject({ state: "completed", error: null });
    const stored = await waitFor("the completed record", async () => {
      const r = await readStored(panel, sessionId);
      return r.session?.state === "completed" ? r : null;
    });

    // ── the switch is on the record and the timeline ──
    expect(stored.session).toMatchObject({ layout: "side-by-side", sources: ids });
    const events = stored.timeline.filter((t) => t.kind === "layout");
    expect(events).toHaveLength(1);
    expect(events[0]?.detail).toBe("grid → side-by-side");
    const switchUs = events[0]?.ts as number;

    // ── recording went on: consecutive video segments, each decodes at the canvas size ──
    const video = stored.segments.filter((x) => x.track === "video").sort((a, b) => a.seq - b.seq);
    expect(video.map((x) => x.seq)).toEqual(video.map((_, i) => i));
    for (let i = 1; i < video.length; i++)
      expect(Math.abs((video[i]?.startUs as number) - (video[i - 1]?.endUs as number))).toBeLessThan(1_000);
    for (const seg of video)
      expect(probe(Buffer.from(seg.b64, "base64"), "mp4")).toMatchObject({
        codec: "h264",
        width: WIDTH,
        height: HEIGHT,
      });

    // ── the pictures: grid before the switch, one row after it ──
    // The event's time is the extension's count of recorded time; the host's clock started a
    // little earlier (the start round trip), so segments within 1.5 s of it are left out.
    const before = video.filter((x) => x.endUs < switchUs - 1_500_000);
    const after = video.filter((x) => x.startUs > switchUs + 1_500_000);
    expect(before.length, `segments before ${switchUs} µs`).toBeGreaterThanOrEqual(2);
    expect(after.length, `segments after ${switchUs} µs`).toBeGreaterThanOrEqual(2);
    const looks: Record<string, unknown> = {};
    for (const [layout, segs] of [
      ["grid", before],
      ["side-by-side", after],
    ] as const)
      for (const seg of segs) {
        const look = lookOf(lastFrame(seg, workDir));
        looks[`${seg.seq}:${layout}`] = look;
        const seen = Object.fromEntries(Object.entries(look).map(([k, v]) => [k, v.is]));
        expect(seen, `segment ${seg.seq} (${layout}): ${JSON.stringify(look)}`).toEqual(EXPECTED[layout]);
      }
    console.log(JSON.stringify({ measured: { switchUs, segments: video.length, looks } }));
  }, 150_000);
});
