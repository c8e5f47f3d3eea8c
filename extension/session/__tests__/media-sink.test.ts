import { describe, expect, it } from "vitest";
import { PersistenceQueue } from "../../storage/persistence-queue";
import { emptySession } from "../../storage/records";
import { getSession, timelineOf } from "../../storage/sessions-repo";
import { freshDb } from "../../test-support/db";
import { createMediaSink } from "../media-sink";
import type { SessionEvent } from "../session-events";

describe("media sink", () => {
  it("writes timeline events batched (normal) and sync reports only when idle or flushed (low)", async () => {
    const { db } = await freshDb();
    await db.put("sessions", emptySession("s1", 1));
    const queue = new PersistenceQueue({ batchMs: 10, idleMs: 60_000 });
    const events: SessionEvent[] = [];
    const sink = createMediaSink({ db, queue, send: (e) => events.push(e) });
    sink.accept({ type: "timeline", sessionId: "s1", ts: 5, kind: "gap", detail: "200 ms" });
    sink.accept({ type: "timeline", sessionId: "s1", ts: 6, kind: "warning", detail: "w" });
    sink.accept({
      type: "sync",
      sessionId: "s1",
      seq: 0,
      videoStartUs: 0,
      videoEndUs: 10,
      audioStartUs: 1,
      audioEndUs: 11,
      offsetUs: 1,
      driftUs: 0,
    });
    await new Promise((r) => setTimeout(r, 100));
    expect((await timelineOf(db, "s1")).map((t) => t.kind)).toEqual(["gap", "warning"]);
    await queue.flush();
    expect((await timelineOf(db, "s1")).map((t) => t.kind)).toEqual(["sync:0", "gap", "warning"]);
    expect((await getSession(db, "s1"))?.timelineCount).toBe(3);
    expect(events).toEqual([]);
  });
});
