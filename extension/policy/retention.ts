import type { Db } from "../storage/open-db";
import { QUOTA_MARGIN_BYTES } from "../storage/quota";
import { SessionRecord } from "../storage/records";
import type { ManagedPolicy } from "./policy-fields";

/**
 * Retention and storage cap. A session is deleted with every segment, screenshot and timeline
 * event in ONE transaction: after an abort nothing is half-deleted. The session being recorded
 * (and any not yet finished) is never touched. Retention removes sessions that started more than
 * `retentionDays` ago; the cap removes the oldest finished sessions until the recorded bytes plus
 * the writer's margin fit, so the next recording can start.
 */

const DAY_MS = 86_400_000;
const FINISHED = new Set(["completed", "failed"]);

export interface RetentionResult {
  expired: string[];
  evicted: string[];
}

export async function enforceRetention(
  db: Db,
  policy: ManagedPolicy,
  now = Date.now(),
  keep: string | null = null,
): Promise<RetentionResult> {
  const result: RetentionResult = { expired: [], evicted: [] };
  if (policy.retentionDays === undefined && policy.storageCapMB === undefined) return result;
  const sessions = (await db.getAllFromIndex("sessions", "by-created"))
    .map((r) => SessionRecord.safeParse(r))
    .flatMap((p) => (p.success ? [p.data] : []))
    .filter((s) => s.id !== keep && FINISHED.has(s.state));

  if (policy.retentionDays !== undefined) {
    const cutoff = now - policy.retentionDays * DAY_MS;
    result.expired = sessions.filter((s) => (s.startedAt ?? s.createdAt) < cutoff).map((s) => s.id);
    await deleteSessions(db, result.expired);
  }
  if (policy.storageCapMB !== undefined) {
    const budget = capBytes(policy.storageCapMB) - QUOTA_MARGIN_BYTES;
    let used = await recordedBytes(db);
    for (const s of sessions) {
      if (used <= budget) break;
      if (result.expired.includes(s.id)) continue;
      await deleteSessions(db, [s.id]);
      result.evicted.push(s.id);
      used -= s.bytes;
    }
  }
  return result;
}

export const capBytes = (mb: number) => mb * 1024 * 1024;

/** Bytes of committed media in every session, as the sessions' own totals count them. */
export async function recordedBytes(db: Db): Promise<number> {
  let total = 0;
  for (const r of await db.getAll("sessions")) total += typeof r.bytes === "number" ? r.bytes : 0;
  return total;
}

/** Deletes sessions and everything that belongs to them, all in one transaction. */
export async function deleteSessions(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const tx = db.transaction(["sessions", "segments", "screenshots", "timeline"], "readwrite");
  const done = tx.done;
  try {
    for (const id of ids) {
      for (const key of await tx.objectStore("segments").index("by-session").getAllKeys(id))
        await tx.objectStore("segments").delete(key);
      for (const key of await tx.objectStore("screenshots").index("by-session").getAllKeys(id))
        await tx.objectStore("screenshots").delete(key);
      for (const key of await tx.objectStore("timeline").index("by-session").getAllKeys(id))
        await tx.objectStore("timeline").delete(key);
      await tx.objectStore("sessions").delete(id);
    }
    await done;
  } catch (err) {
    try {
      tx.abort();
    } catch {
      // already finished or aborted
    }
    await done.catch(() => undefined);
    throw err;
  }
}
