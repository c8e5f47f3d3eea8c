import type { ErrorCode } from "@sessions/shared";
import type { DbChange } from "../storage/change-feed";
import { commitScreenshot, commitSegment } from "../storage/media-commit";
import type { Db } from "../storage/open-db";
import type { PersistenceQueue } from "../storage/persistence-queue";
import { assertQuotaFor, isQuotaError, type StorageManagerLike } from "../storage/quota";
import { type MediaPart, mediaKey, Reassembler, releaseNow } from "../storage/reassembler";
import { ScreenshotRecord, SegmentRecord, type TimelineRecord } from "../storage/records";
import { appendTimeline } from "../storage/sessions-repo";
import type { MediaMessage, SessionEvent } from "./session-events";

/**
 * Takes the media events of the active session from the machine and stores them. Guarantees:
 * a segment or screenshot is acknowledged (storage.committed) only after its item and the
 * session's totals are committed in one transaction; a corrupt item (CHECKSUM_MISMATCH) is never
 * stored nor acknowledged; a quota check precedes every commit and running out reports
 * storage.quotaExceeded (the machine stops cleanly) with everything committed so far kept.
 * Timeline events are batched as normal-priority writes, sync reports as low (written when idle).
 */

export interface MediaSinkDeps {
  db: Db;
  queue: PersistenceQueue;
  storage?: StorageManagerLike;
  send: (event: SessionEvent) => void;
  announce?: (change: DbChange) => void;
  now?: () => number;
}

export function createMediaSink(deps: MediaSinkDeps) {
  const reassembler = new Reassembler();
  const now = deps.now ?? Date.now;
  const announce = deps.announce ?? (() => undefined);
  const buffers: Record<"normal" | "low", TimelineRecord[]> = { normal: [], low: [] };
  /** Items received but not yet committed (or failed): finalizing waits for them. */
  const inFlight = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>) => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };

  const fail = (code: ErrorCode, message: string) => deps.send({ type: "storage.commitFailed", code, message });

  const onError = (err: unknown) => {
    if (isQuotaError(err)) deps.send({ type: "storage.quotaExceeded", message: String((err as Error).message ?? err) });
    else fail("INTERNAL", `commit failed: ${String((err as Error)?.message ?? err)}`);
  };

  /** Timeline events are batched as normal writes; sync reports (diagnostics) wait for idle. */
  const queueTimeline = (rec: TimelineRecord, priority: "normal" | "low" = "normal") => {
    buffers[priority].push(rec);
    void deps.queue
      .enqueue({
        key: `timeline-buffer:${priority}`,
        priority,
        run: async () => {
          const batch = buffers[priority];
          buffers[priority] = [];
          await appendTimeline(deps.db, batch);
          announce({ kind: "timeline", sessionId: rec.sessionId });
        },
      })
      .catch(onError);
  };

  return {
    accept(msg: MediaMessage): void {
      switch (msg.type) {
        case "segment":
        case "screenshot":
          track(
            reassembler
              .accept(msg)
              .then(async (r) => {
                if (r.status === "partial") return;
                if (r.status === "corrupt") return fail(r.code, r.message);
                const h = r.head;
                const data = new Blob([r.bytes], { type: h.mime });
                releaseNow(r.bytes); // the Blob holds its own copy
                const item = storedItem(deps.db, h, data, now());
                await assertQuotaFor(deps.storage, h.bytes);
                await deps.queue.enqueue({ key: `media:${mediaKey(h)}`, priority: "critical", run: item.commit });
                deps.send({ type: "storage.committed", sessionId: h.sessionId, track: item.track, seq: h.seq });
                announce({ kind: h.type, sessionId: h.sessionId });
              })
              .catch(onError),
          );
          return;
        case "timeline":
          queueTimeline({ sessionId: msg.sessionId, ts: msg.ts, kind: msg.kind, detail: msg.detail, at: now() });
          return;
        case "sync": {
          const { type: _t, sessionId, ...rest } = msg;
          queueTimeline(
            {
              sessionId,
              ts: msg.videoStartUs,
              kind: `sync:${msg.seq}`,
              detail: JSON.stringify(rest),
              at: now(),
            },
            "low",
          );
          return;
        }
      }
    },
    pendingItems: () => reassembler.pendingCount(),
    /** Resolves when every item received so far is committed (or has failed and been reported). */
    async settled(): Promise<void> {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}

/** The record a complete segment or screenshot becomes (validated, message-only fields dropped), and its commit. */
function storedItem(db: Db, head: MediaPart, data: Blob, committedAt: number) {
  if (head.type === "segment") {
    const record = SegmentRecord.parse({ ...head, data, committedAt });
    return { track: head.track, commit: () => commitSegment(db, record) };
  }
  const record = ScreenshotRecord.parse({ ...head, data, committedAt });
  return { track: "screenshot" as const, commit: () => commitScreenshot(db, record) };
}
