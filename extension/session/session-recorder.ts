import type { DbChange } from "../storage/change-feed";
import type { Db } from "../storage/open-db";
import type { PersistenceQueue } from "../storage/persistence-queue";
import { emptySession, type SessionRecordState } from "../storage/records";
import { appendTimeline, ensureSession, patchSession } from "../storage/sessions-repo";
import { snapshotRecord } from "./snapshot-store";
import { type SessionSnapshot, stateName } from "./status";

/**
 * Mirrors the machine into IndexedDB on every snapshot: the persisted snapshot (so a restarted
 * worker resumes), the session record's state, times, error and health, and a timeline entry per
 * state change. State changes are critical writes (at once); health-only changes are normal
 * (batched). Each write sets absolute values, so replays are harmless.
 */

export function createSessionRecorder(
  db: Db,
  queue: PersistenceQueue,
  announce: (c: DbChange) => void = () => undefined,
) {
  let last: { state: string; sessionId: string | null; health: string | null; error: string | null } | null = null;

  return (snapshot: SessionSnapshot, persisted: () => unknown): Promise<void> => {
    const c = snapshot.context;
    const state = stateName(snapshot.value);
    const changed =
      !last || last.state !== state || last.sessionId !== c.sessionId || last.error !== (c.error?.code ?? null);
    const healthChanged = last?.health !== (c.health?.level ?? null);
    last = { state, sessionId: c.sessionId, health: c.health?.level ?? null, error: c.error?.code ?? null };
    if (!changed && !healthChanged) return Promise.resolve();
    const priority = changed ? "critical" : "normal";
    const writes = [
      queue.enqueue({ key: "machine-snapshot", priority, run: () => db.put("runtime", snapshotRecord(persisted())) }),
    ];
    const sessionId = c.sessionId;
    if (sessionId && state !== "idle" && c.createdAt !== null) {
      const createdAt = c.createdAt;
      writes.push(
        queue.enqueue({
          key: `session:${sessionId}`,
          priority,
          run: async () => {
            await ensureSession(db, emptySession(sessionId, createdAt));
            await patchSession(db, sessionId, {
              state: state as SessionRecordState,
              startedAt: c.startedAt,
              endedAt: c.endedAt,
              error: c.error,
              health: c.health?.level ?? null,
              layout: c.plan?.video?.layout ?? null,
              sources: c.plan?.video?.sources.map((s) => s.id) ?? [],
            });
            announce({ kind: "session", sessionId });
          },
        }),
      );
      if (changed) {
        // Its own key: state entries are never coalesced away, unlike the record's latest values.
        const at = Date.now();
        const entry = {
          sessionId,
          ts: Math.max(0, at - createdAt) * 1000,
          kind: `state:${state}`,
          detail: c.error?.message ?? state,
          at,
        };
        writes.push(
          queue.enqueue({
            key: `timeline:${sessionId}:${entry.ts}:${entry.kind}`,
            priority: "critical",
            run: async () => {
              await ensureSession(db, emptySession(sessionId, createdAt));
              await appendTimeline(db, [entry]);
            },
          }),
        );
      }
    }
    return Promise.all(writes).then(() => undefined);
  };
}
