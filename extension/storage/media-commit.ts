import type { StoreKey, StoreValue } from "idb";
import type { Db } from "./open-db";
import type { ScreenshotRecord, SegmentRecord, SessionRecord } from "./records";
import type { SessionsDb } from "./schema";

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

export function commitSegment(db: Db, segment: SegmentRecord, probe?: CommitProbe): Promise<CommitOutcome> {
  const key: StoreKey<SessionsDb, "segments"> = [segment.sessionId, segment.track, segment.seq];
  return commitWithTotals(db, "segments", segment, key, (s) => withSegment(s, segment), probe);
}

export function commitScreenshot(db: Db, shot: ScreenshotRecord, probe?: CommitProbe): Promise<CommitOutcome> {
  const key: StoreKey<SessionsDb, "screenshots"> = [shot.sessionId, shot.seq];
  return commitWithTotals(db, "screenshots", shot, key, (s) => withScreenshot(s, shot), probe);
}

/** The one transaction both kinds of item share: item + the session's totals, or neither. */
async function commitWithTotals<S extends "segments" | "screenshots">(
  db: Db,
  store: S,
  item: StoreValue<SessionsDb, S> & { sessionId: string },
  key: StoreKey<SessionsDb, S>,
  totals: (session: SessionRecord) => SessionRecord,
  probe?: CommitProbe,
): Promise<CommitOutcome> {
  const tx = db.transaction([store, "sessions"], "readwrite");
  const done = tx.done;
  try {
    const items = tx.objectStore(store);
    const sessions = tx.objectStore("sessions");
    const existing = await items.getKey(key);
    probe?.("read-existing", tx);
    if (existing !== undefined) {
      await done;
      return "duplicate";
    }
    await items.add(item);
    probe?.("put-item", tx);
    const session = await sessions.get(item.sessionId);
    probe?.("read-session", tx);
    if (!session) throw new MissingSessionError(item.sessionId);
    await sessions.put(totals(session));
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

function withScreenshot(session: SessionRecord, shot: ScreenshotRecord): SessionRecord {
  const screenshots = { count: session.screenshots.count + 1, bytes: session.screenshots.bytes + shot.bytes };
  return { ...session, screenshots, bytes: session.bytes + shot.bytes, updatedAt: shot.committedAt };
}

function abortQuietly(tx: { abort(): void }): void {
  try {
    tx.abort();
  } catch {
    // already finished or aborted
  }
}
