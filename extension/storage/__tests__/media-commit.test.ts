import { describe, expect, it } from "vitest";
import { freshDb, segment } from "../../test-support/db";
import { type CommitStep, commitScreenshot, commitSegment, MissingSessionError } from "../media-commit";
import type { Db } from "../open-db";
import { emptySession, type ScreenshotRecord } from "../records";
import { getSession } from "../sessions-repo";

const STEPS: CommitStep[] = ["read-existing", "put-item", "read-session", "put-session"];

async function snapshotOf(db: Db) {
  return {
    sessions: await db.getAll("sessions"),
    segments: (await db.getAll("segments")).map(({ data: _d, ...rest }) => rest),
    screenshots: (await db.getAll("screenshots")).map(({ data: _d, ...rest }) => rest),
  };
}

function shot(sessionId: string, seq: number): ScreenshotRecord {
  return {
    sessionId,
    seq,
    ts: seq * 5_000_000,
    width: 320,
    height: 180,
    phash: "0123456789abcdef",
    mime: "image/webp",
    bytes: 500,
    sha256: "f".repeat(64),
    data: new Blob([new Uint8Array(500)]),
    committedAt: 1,
  };
}

describe("commitSegment", () => {
  it("stores the segment and the session's totals together", async () => {
    const { db } = await freshDb();
    await db.put("sessions", emptySession("s1", 1));
    expect(await commitSegment(db, segment("s1", "video", 0, 1000))).toBe("committed");
    expect(await commitSegment(db, segment("s1", "audio", 0, 200))).toBe("committed");
    expect(await commitSegment(db, segment("s1", "video", 1, 1500))).toBe("committed");
    const s = await getSession(db, "s1");
    expect(s).toMatchObject({
      bytes: 2700,
      durationUs: 20_000_000,
      video: { count: 2, bytes: 2500 },
      audio: { count: 1, bytes: 200 },
    });
    const stored = await db.get("segments", ["s1", "video", 1]);
    expect(stored?.data.size).toBe(1500);
  });

  it("is idempotent: the same (session, track, seq) twice is stored and counted once", async () => {
    const { db } = await freshDb();
    await db.put("sessions", emptySession("s1", 1));
    await commitSegment(db, segment("s1", "video", 0));
    const before = await snapshotOf(db);
    expect(await commitSegment(db, segment("s1", "video", 0))).toBe("duplicate");
    expect(await snapshotOf(db)).toEqual(before);
  });

  it("audio-only sessions take their duration from audio", async () => {
    const { db } = await freshDb();
    await db.put("sessions", emptySession("s1", 1));
    await commitSegment(db, segment("s1", "audio", 2));
    expect((await getSession(db, "s1"))?.durationUs).toBe(30_000_000);
  });

  it.each(STEPS)("an abort after step %s leaves nothing half-written", async (step) => {
    const { db } = await freshDb();
    await db.put("sessions", emptySession("s1", 1));
    await commitSegment(db, segment("s1", "video", 0));
    const before = await snapshotOf(db);
    const attempt = commitSegment(db, segment("s1", "video", 1), (at, tx) => {
      if (at === step) tx.abort();
    });
    await expect(attempt).rejects.toBeTruthy();
    expect(await snapshotOf(db)).toEqual(before);
    // And the same commit succeeds afterwards: nothing was left behind to make it a "duplicate".
    expect(await commitSegment(db, segment("s1", "video", 1))).toBe("committed");
    expect((await getSession(db, "s1"))?.video.count).toBe(2);
  });

  it("rolls back the segment when the session does not exist", async () => {
    const { db } = await freshDb();
    await expect(commitSegment(db, segment("nope", "video", 0))).rejects.toBeInstanceOf(MissingSessionError);
    expect(await db.count("segments")).toBe(0);
  });
});

describe("commitScreenshot", () => {
  it("commits with totals, idempotently", async () => {
    const { db } = await freshDb();
    await db.put("sessions", emptySession("s1", 1));
    expect(await commitScreenshot(db, shot("s1", 0))).toBe("committed");
    expect(await commitScreenshot(db, shot("s1", 0))).toBe("duplicate");
    expect(await getSession(db, "s1")).toMatchObject({ screenshots: { count: 1, bytes: 500 }, bytes: 500 });
  });

  it.each(STEPS)("an abort after step %s leaves nothing half-written", async (step) => {
    const { db } = await freshDb();
    await db.put("sessions", emptySession("s1", 1));
    const before = await snapshotOf(db);
    await expect(
      commitScreenshot(db, shot("s1", 3), (at, tx) => {
        if (at === step) tx.abort();
      }),
    ).rejects.toBeTruthy();
    expect(await snapshotOf(db)).toEqual(before);
  });
});
