import type { DbChange } from "../storage/change-feed";
import type { Db } from "../storage/open-db";
import type { PersistenceQueue } from "../storage/persistence-queue";
import { emptySession, type SessionRecordState, type TimelineRecord } from "../storage/records";
import { appendTimeline, ensureSession, patchSession } from "../storage/sessions-repo";
import { snapshotRecord } from "./snapshot-store";
import { type SessionSnapshot, stateName } from "./status";

/**
 * Mirrors the machine into IndexedDB on every snapshot: the persisted snapshot (so a restarted
 * worker resumes), the session record's state, times, error, health, sources and layout, and a
 * timeline entry per state change and per layout switch. State, source and layout changes are
 * critical writes (at once); health-only changes are normal (batched). Each write sets absolute
 * values, so replays are harmless.
 */

interface Seen {
  state: string;
  sessionId: string | null;
  health: string | null;
  error: string | null;
  /** The recorded sources and layout, as one comparable string. */
  video: string;
  layout: string | null;
}

export function createSessionRecorder(
  db: Db,
  queue: PersistenceQueue,
  announce: (c: DbChange) => void = () => undefined,
) {
  let last: Seen | null = null;

  return (snapshot: SessionSnapshot, persisted: () => unknown): Promise<void> => {
    const c = snapshot.context;
    const state = stateName(snapshot.value);
    const layout = c.plan?.video?.layout ?? null;
    const now: Seen = {
      state,
      sessionId: c.sessionId,
      health: c.health?.level ?? null,
      error: c.error?.code ?? null,
      video: `${layout}:${(c.plan?.video?.sources ?? []).map((s) => s.id).join(",")}`,
      layout,
    };
    const stateChanged =
      !last || last.state !== now.state || last.sessionId !== now.sessionId || last.error !== now.error;
    // What is recorded changed (a window added or removed, a layout switch): the record and the
    // snapshot follow at once, so a restarted worker and the side panel show what the host records.
    const videoChanged = last?.video !== now.video;
    const healthChanged = last?.health !== now.health;
    const switchedFrom =
      last?.sessionId === now.sessionId && last.layout && layout && last.layout !== layout ? last.layout : null;
    last = now;
    if (!stateChanged && !videoChanged && !healthChanged) return Promise.resolve();
    const priority = stateChanged || videoChanged ? "critical" : "normal";
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
              layout,
              sources: c.plan?.video?.sources.map((s) => s.id) ?? [],
            });
            announce({ kind: "session", sessionId });
          },
        }),
      );
      const at = Date.now();
      const entries: TimelineRecord[] = [];
      if (stateChanged)
        entries.push({
          sessionId,
          ts: Math.max(0, at - createdAt) * 1000,
          kind: `state:${state}`,
          detail: c.error?.message ?? state,
          at,
        });
      if (switchedFrom)
        // On the recording's clock (pauses left out), like the host's events, so playback lists
        // it where the picture changes.
        entries.push({
          sessionId,
          ts: Math.round(recordedMs(c, at)) * 1000,
          kind: "layout",
          detail: `${switchedFrom} → ${layout}`,
          at,
        });
      // Its own key: entries are never coalesced away, unlike the record's latest values.
      for (const entry of entries)
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
    return Promise.all(writes).then(() => undefined);
  };
}

function recordedMs(c: SessionSnapshot["context"], at: number): number {
  return c.recordedMs + (c.runningSince === null ? 0 : Math.max(0, at - c.runningSince));
}
