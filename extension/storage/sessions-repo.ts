import type { Db } from "./open-db";
import {
  type ScreenshotRecord,
  type SegmentRecord,
  SessionRecord,
  type SessionRecordState,
  type TimelineRecord,
} from "./records";

/**
 * Reads and small writes of session records. Every read is parsed with the record schema, so a
 * record from an incompatible older version is reported, not rendered half-understood.
 */

export type SessionPatch = Partial<Omit<SessionRecord, "id" | "createdAt">>;

/** Creates the session if absent; otherwise leaves it (idempotent: a retried create is harmless). */
export async function ensureSession(db: Db, record: SessionRecord): Promise<void> {
  const tx = db.transaction("sessions", "readwrite");
  if ((await tx.store.getKey(record.id)) === undefined) await tx.store.add(record);
  await tx.done;
}

/** Applies a patch in one read-modify-write transaction; unknown sessions are an error. */
export async function patchSession(db: Db, id: string, patch: SessionPatch): Promise<SessionRecord> {
  const tx = db.transaction("sessions", "readwrite");
  const current = await tx.store.get(id);
  if (!current) {
    tx.abort();
    await tx.done.catch(() => undefined);
    throw new Error(`no session ${id}`);
  }
  const next = SessionRecord.parse({ ...current, ...patch, updatedAt: patch.updatedAt ?? Date.now() });
  await tx.store.put(next);
  await tx.done;
  return next;
}

export async function getSession(db: Db, id: string): Promise<SessionRecord | undefined> {
  const raw = await db.get("sessions", id);
  return raw === undefined ? undefined : SessionRecord.parse(raw);
}

/** Newest first. */
export async function listSessions(db: Db, limit = 200): Promise<SessionRecord[]> {
  const out: SessionRecord[] = [];
  let cursor = await db.transaction("sessions").store.index("by-created").openCursor(null, "prev");
  while (cursor && out.length < limit) {
    out.push(SessionRecord.parse(cursor.value));
    cursor = await cursor.continue();
  }
  return out;
}

export async function sessionsInState(db: Db, states: SessionRecordState[]): Promise<SessionRecord[]> {
  const lists = await Promise.all(states.map((s) => db.getAllFromIndex("sessions", "by-state", s)));
  return lists.flat().map((r) => SessionRecord.parse(r));
}

/** Segment metadata without loading blobs' bytes (Blobs in IndexedDB are lazy handles). */
export async function segmentsOf(db: Db, sessionId: string): Promise<SegmentRecord[]> {
  return db.getAllFromIndex("segments", "by-session", sessionId);
}

export async function screenshotsOf(db: Db, sessionId: string): Promise<ScreenshotRecord[]> {
  return db.getAllFromIndex("screenshots", "by-session", sessionId);
}

export async function timelineOf(db: Db, sessionId: string, limit = 10_000): Promise<TimelineRecord[]> {
  const range = IDBKeyRange.bound([sessionId, 0, ""], [sessionId, Number.MAX_SAFE_INTEGER, "\uffff"]);
  return db.getAll("timeline", range, limit);
}

/** Adds timeline events and bumps the session's count, together. Re-adding the same key is a no-op. */
export async function appendTimeline(db: Db, events: TimelineRecord[]): Promise<number> {
  if (events.length === 0) return 0;
  const tx = db.transaction(["timeline", "sessions"], "readwrite");
  const timeline = tx.objectStore("timeline");
  const sessions = tx.objectStore("sessions");
  const added = new Map<string, number>();
  for (const ev of events) {
    if ((await timeline.getKey([ev.sessionId, ev.ts, ev.kind])) !== undefined) continue;
    await timeline.add(ev);
    added.set(ev.sessionId, (added.get(ev.sessionId) ?? 0) + 1);
  }
  for (const [id, n] of added) {
    const s = await sessions.get(id);
    if (s) await sessions.put({ ...s, timelineCount: s.timelineCount + n });
  }
  await tx.done;
  let total = 0;
  for (const n of added.values()) total += n;
  return total;
}
