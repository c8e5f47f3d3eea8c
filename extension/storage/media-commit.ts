import type { Db } from "./open-db";
import type { ScreenshotRecord, SegmentRecord, SessionRecord } from "./records";

/**
 * Commits one finished media item and the session's totals in ONE transaction: either both the
 * item and the updated totals are stored, or (on abort, quota, crash) neither is. Commits are
 * idempotent by key (sessionId, track, seq): committing an item twice stores it once and counts it
 * once, and reports "duplicate" so the caller can acknowledge it again.
 *
 * `probe` runs after each step with the live transaction; tests use it to abort at every step.
 */

export type CommitOutcome = "committed" | "duplicate";
export type CommitStep = "read-existing" | "put-item" | "read-session" | "put-session";
export type CommitProbe = (step: CommitStep, tx: { abort(): void }) => void;

export class MissingSessionError extends Error {
  constructor(readonly sessionId: string) {
    super(`no session ${sessionId} to commit into`);
  }
}

export async function commitSegment(db: Db, segment: SegmentRecord, probe?: CommitProbe): Promise<CommitOutcome> {
  const tx = db.transaction(["segments", "sessions"], "readwrite");
  const done = tx.done;
  try {
    const segments = tx.objectStore("segments");
    const sessions = tx.objectStore("sessions");
    const existing = await segments.getKey([segment.sessionId, segment.track, segment.seq]);
    probe?.("read-existing", tx);
    if (existing !== undefined) {
      await done;
      return "duplicate";
    }
    await segments.add(segment);
    probe?.("put-item", tx);
    const session = await sessions.get(segment.sessionId);
    probe?.("read-session", tx);
    if (!session) throw new MissingSessionError(segment.sessionId);
    await sessions.put(withSegment(session, segment));
    probe?.("put-session", tx);
    await done;
    return "committed";
  } catch (err) {
    abortQuietly(tx);
    await done.catch(() => undefined);
    throw err;
  }
}

export async function commitScreenshot(db: Db, shot: ScreenshotRecord, probe?: CommitProbe): Promise<CommitOutcome> {
  const tx = db.transaction(["screenshots", "sessions"], "readwrite");
  const done = tx.done;
  try {
    const shots = tx.objectStore("screenshots");
    const sessions = tx.objectStore("sessions");
    const existing = await shots.getKey([shot.sessionId, shot.seq]);
    probe?.("read-existing", tx);
    if (existing !== undefined) {
      await done;
      return "duplicate";
    }
    await shots.add(shot);
    probe?.("put-item", tx);
    const session = await sessions.get(shot.sessionId);
    probe?.("read-session", tx);
    if (!session) throw new MissingSessionError(shot.sessionId);
    const screenshots = { count: session.screenshots.count + 1, bytes: session.screenshots.bytes + shot.bytes };
    await sessions.put({ ...session, screenshots, bytes: session.bytes + shot.bytes, updatedAt: shot.committedAt });
    probe?.("put-session", tx);
    await done;
    return "committed";
  } catch (err) {
    abortQuietly(tx);
    await done.catch(() => undefined);
    throw err;
  }
}

function withSegment(session: SessionRecord, seg: SegmentRecord): SessionRecord {
  const track = { count: session[seg.track].count + 1, bytes: session[seg.track].bytes + seg.bytes };
  // Duration follows video when there is video; audio-only sessions follow audio.
  const drivesDuration = seg.track === "video" || session.video.count === 0;
  return {
    ...session,
    [seg.track]: track,
    bytes: session.bytes + seg.bytes,
    durationUs: drivesDuration ? Math.max(session.durationUs, seg.endUs) : session.durationUs,
    updatedAt: seg.committedAt,
  };
}

function abortQuietly(tx: { abort(): void }): void {
  try {
    tx.abort();
  } catch {
    // already finished or aborted
  }
}
