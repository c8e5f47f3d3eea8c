import { createHash } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadSettings } from "../../settings/settings";
import type { Db } from "../../storage/open-db";
import { PersistenceQueue } from "../../storage/persistence-queue";
import type { StorageManagerLike } from "../../storage/quota";
import { encodeBase64 } from "../../storage/reassembler";
import { getSession, segmentsOf, timelineOf } from "../../storage/sessions-repo";
import { freshDb } from "../../test-support/db";
import { FakeHost } from "../../test-support/fake-host";
import { type SessionController, startSessionController } from "../session-controller";

const running: SessionController[] = [];
afterEach(() => {
  for (const c of running.splice(0)) c.stop();
});

async function controller(db: Db, host: FakeHost, extra: { storage?: StorageManagerLike } = {}) {
  let n = 0;
  const c = await startSessionController({
    db,
    queue: new PersistenceQueue({ batchMs: 20, idleMs: 50 }),
    connect: host.connect,
    extensionVersion: "0.1.0",
    newSessionId: () => `sess-${++n}`,
    reconnectDelays: [20, 40],
    ...(extra.storage ? { storage: extra.storage } : {}),
  });
  running.push(c);
  return c;
}

/** The host side of a media item: split into parts, base64, sha256 of the whole. */
function segmentParts(
  sessionId: string,
  track: "video" | "audio",
  seq: number,
  bytes: Uint8Array,
  partSize: number,
  corrupt = false,
) {
  const sha256 = createHash("sha256")
    .update(corrupt ? Buffer.from("other") : bytes)
    .digest("hex");
  const parts = Math.ceil(bytes.length / partSize);
  return Array.from({ length: parts }, (_, part) => ({
    type: "segment",
    sessionId,
    track,
    seq,
    startUs: seq * 10_000_000,
    endUs: (seq + 1) * 10_000_000,
    units: 300,
    mime: track === "video" ? "video/mp4" : "audio/webm",
    bytes: bytes.length,
    sha256,
    part,
    parts,
    data: encodeBase64(bytes.subarray(part * partSize, (part + 1) * partSize)),
  }));
}

const waitState = (c: SessionController, state: string) =>
  vi.waitFor(() => expect(c.status().state).toBe(state), { timeout: 3000 });

/** A worker records, writes everything, and is stopped (its port closes) while the host records on. */
async function recordThenStopWorker() {
  const { db } = await freshDb();
  const host = new FakeHost();
  const first = await controller(db, host);
  await first.command("start");
  await waitState(first, "recording");
  await first.flush();
  first.stop();
  return { db, host };
}

describe("session controller (machine + queue + IndexedDB + fake host)", () => {
  it("records a session end to end: segments committed then acked, totals and timeline stored", async () => {
    const { db } = await freshDb();
    const host = new FakeHost();
    const c = await controller(db, host);
    await c.command("toggle");
    await waitState(c, "recording");
    expect((await getSession(db, "sess-1"))?.state).toBe("recording");

    const video = new Uint8Array(5000).map((_, i) => i % 251);
    for (const p of segmentParts("sess-1", "video", 0, video, 2048)) host.emit(p);
    for (const p of segmentParts("sess-1", "audio", 0, new Uint8Array(700).fill(3), 1024)) host.emit(p);
    host.emit({ type: "timeline", sessionId: "sess-1", ts: 1_000_000, kind: "source-added", detail: "display:0" });
    await vi.waitFor(() => expect(host.requests("segment.ack")).toHaveLength(2));

    const acked = host.requests("segment.ack").map((a) => (a.type === "segment.ack" ? `${a.track}/${a.seq}` : ""));
    expect(acked.sort()).toEqual(["audio/0", "video/0"]);
    const stored = await db.get("segments", ["sess-1", "video", 0]);
    if (!stored) throw new Error("segment not stored");
    expect(new Uint8Array(await stored.data.arrayBuffer())).toEqual(video);

    await c.command("toggle");
    await waitState(c, "completed");
    await c.flush();
    const s = await getSession(db, "sess-1");
    expect(s).toMatchObject({
      state: "completed",
      bytes: 5700,
      durationUs: 10_000_000,
      video: { count: 1 },
      audio: { count: 1 },
      error: null,
    });
    expect(s?.endedAt).toBeGreaterThan(0);
    const kinds = (await timelineOf(db, "sess-1")).map((t) => t.kind);
    expect(kinds).toEqual(
      expect.arrayContaining([
        "source-added",
        "state:preparing",
        "state:recording",
        "state:stopping",
        "state:completed",
      ]),
    );
  });

  it("a segment sent twice (resend after reconnect) is stored once and acked twice", async () => {
    const { db } = await freshDb();
    const host = new FakeHost();
    const c = await controller(db, host);
    await c.command("start");
    await waitState(c, "recording");
    const parts = segmentParts("sess-1", "video", 3, new Uint8Array(100).fill(1), 64);
    for (const p of [...parts, ...parts]) host.emit(p);
    await vi.waitFor(() => expect(host.requests("segment.ack")).toHaveLength(2));
    expect(await segmentsOf(db, "sess-1")).toHaveLength(1);
    expect((await getSession(db, "sess-1"))?.video).toEqual({ count: 1, bytes: 100 });
  });

  it("never stores nor acks a segment whose sha256 differs", async () => {
    const { db } = await freshDb();
    const host = new FakeHost();
    const c = await controller(db, host);
    await c.command("start");
    await waitState(c, "recording");
    for (const p of segmentParts("sess-1", "video", 0, new Uint8Array(10), 64, true)) host.emit(p);
    await vi.waitFor(() => expect(c.status().error?.code).toBe("CHECKSUM_MISMATCH"));
    expect(await db.count("segments")).toBe(0);
    expect(host.requests("segment.ack")).toHaveLength(0);
    expect(c.status().state).toBe("recording");
  });

  it("stops cleanly when the quota runs out, keeping what was committed", async () => {
    const { db } = await freshDb();
    const host = new FakeHost();
    // The browser's estimate: usage grows with what was committed; room for one segment only.
    let usage = 0;
    const storage = { estimate: async () => ({ usage, quota: 64 * 1024 * 1024 + 1500 }) };
    const c = await controller(db, host, { storage });
    await c.command("start");
    await waitState(c, "recording");
    for (const p of segmentParts("sess-1", "video", 0, new Uint8Array(1000), 4096)) host.emit(p);
    await vi.waitFor(() => expect(host.requests("segment.ack")).toHaveLength(1));
    usage = 1000;
    for (const p of segmentParts("sess-1", "video", 1, new Uint8Array(1000), 4096)) host.emit(p);
    await waitState(c, "completed");
    await c.flush();
    const s = await getSession(db, "sess-1");
    expect(s).toMatchObject({
      state: "completed",
      video: { count: 1, bytes: 1000 },
      error: { code: "QUOTA_EXCEEDED" },
    });
    expect(host.requests("session.stop")).toHaveLength(1);
  });

  it("a restarted worker restores the machine from IndexedDB and reattaches mid-recording", async () => {
    const { db, host } = await recordThenStopWorker();
    expect(host.connections[0]?.disconnectedByExtension).toBe(true);

    const second = await controller(db, host);
    expect(second.status()).toMatchObject({ state: "recording", sessionId: "sess-1" });
    await vi.waitFor(() => expect(host.requests("session.status")).toHaveLength(1));
    expect(second.status().state).toBe("recording");
    expect(host.requests("session.start")).toHaveLength(1);
    await second.command("stop");
    await waitState(second, "completed");
    await second.flush();
    expect((await getSession(db, "sess-1"))?.state).toBe("completed");
  });

  it("a restarted worker finalizes when the host lost the session", async () => {
    const { db } = await recordThenStopWorker();
    const second = await controller(db, new FakeHost());
    await waitState(second, "completed");
    await second.flush();
    expect(await getSession(db, "sess-1")).toMatchObject({ state: "completed", error: { code: "HOST_DISCONNECTED" } });
  });

  it("starts with the picker's choice, remembers it for the toolbar, and adds a window live", async () => {
    const { db } = await freshDb();
    const host = new FakeHost();
    const c = await controller(db, host);
    await c.startWith([{ id: "window:1", kind: "window" }], "side-by-side");
    await waitState(c, "recording");
    expect(host.requests("session.start")[0]).toMatchObject({
      video: { sources: [{ id: "window:1", kind: "window" }], layout: "side-by-side" },
    });
    expect((await loadSettings(db)).chosenSources).toEqual([{ id: "window:1", kind: "window" }]);
    c.addSource({ id: "display:0", kind: "display" });
    await vi.waitFor(() => expect(c.status().sources).toEqual(["window:1", "display:0"]));
    await c.command("stop");
    await waitState(c, "completed");
    // the toolbar's next start records the remembered choice
    await c.command("toggle");
    await waitState(c, "recording");
    expect(host.requests("session.start")[1]).toMatchObject({ video: { sources: [{ id: "window:1" }] } });
  });

  it("switches the layout live by command; the record, a timeline event and a restarted worker follow", async () => {
    const { db } = await freshDb();
    const host = new FakeHost();
    const c = await controller(db, host);
    await c.startWith(
      [
        { id: "window:1", kind: "window" },
        { id: "display:0", kind: "display" },
      ],
      "grid",
    );
    await waitState(c, "recording");
    expect(c.status().layout).toBe("grid");
    await new Promise((r) => setTimeout(r, 30));
    await c.command("layout:side-by-side");
    await vi.waitFor(() => expect(c.status().layout).toBe("side-by-side"));
    expect(host.requests("session.setLayout")).toMatchObject([{ sessionId: "sess-1", layout: "side-by-side" }]);
    await c.flush();
    expect((await getSession(db, "sess-1"))?.layout).toBe("side-by-side");
    const switched = (await timelineOf(db, "sess-1")).filter((t) => t.kind === "layout");
    expect(switched).toHaveLength(1);
    expect(switched[0]?.detail).toBe("grid → side-by-side");
    // on the recording's clock: after the 30 ms recorded, well before the wall clock's hours
    expect(switched[0]?.ts).toBeGreaterThanOrEqual(30_000);
    expect(switched[0]?.ts).toBeLessThan(5_000_000);
    c.stop();
    const restarted = await controller(db, host);
    expect(restarted.status()).toMatchObject({ state: "recording", layout: "side-by-side" });
  });

  it("a host lost mid-recording: items the new host resends are committed before the session closes", async () => {
    const { db } = await freshDb();
    const host = new FakeHost();
    const c = await controller(db, host);
    await c.command("start");
    await waitState(c, "recording");
    host.session = null; // the new host process has no recording
    host.handlers["segments.resend"] = (req, h) => {
      setTimeout(() => {
        for (const p of segmentParts("sess-1", "video", 4, new Uint8Array(5000).fill(4), 2000)) h.emit(p);
        h.emit({ type: "result", id: req.id, count: 1 });
      }, 5);
      return null;
    };
    host.drop();
    await waitState(c, "completed");
    await c.flush();
    expect((await segmentsOf(db, "sess-1")).map((x) => x.seq)).toEqual([4]);
    expect(host.requests("segment.ack").map((a) => (a as { seq: number }).seq)).toEqual([4]);
    expect(await getSession(db, "sess-1")).toMatchObject({ state: "completed", error: { code: "HOST_DISCONNECTED" } });
  });

  it("with no host installed the session fails with HOST_NOT_FOUND, recorded in IndexedDB", async () => {
    const { db } = await freshDb();
    const host = new FakeHost();
    host.connectError = "Specified native messaging host not found.";
    const c = await controller(db, host);
    await c.command("toggle");
    await waitState(c, "failed");
    await c.flush();
    expect(await getSession(db, "sess-1")).toMatchObject({ state: "failed", error: { code: "HOST_NOT_FOUND" } });
    expect(c.status().error?.code).toBe("HOST_NOT_FOUND");
  });
});
