import { ErrorCode, HealthLevel, Layout, SessionId } from "@sessions/shared";
import { z } from "zod";

/**
 * The shape of every record the extension keeps in IndexedDB, as zod schemas. Records read back
 * are parsed with these (a record written by an older schema version fails loudly, not silently),
 * and the TypeScript types are inferred from them, never written twice.
 */

export const SESSION_STATES = [
  "preparing",
  "starting",
  "recording",
  "paused",
  "stopping",
  "finalizing",
  "completed",
  "failed",
] as const;
export const SessionRecordState = z.enum(SESSION_STATES);
export type SessionRecordState = z.infer<typeof SessionRecordState>;

export const TrackTotals = z.object({ count: z.number().int().min(0), bytes: z.number().int().min(0) });

export const SessionRecord = z.object({
  id: SessionId,
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  /** Unix ms when the host said recording began; null until then. */
  startedAt: z.number().int().nullable(),
  endedAt: z.number().int().nullable(),
  state: SessionRecordState,
  error: z.object({ code: ErrorCode, message: z.string() }).nullable(),
  /** Media duration (µs) covered by committed video segments (audio when there is no video). */
  durationUs: z.number().int().min(0),
  /** Bytes of every committed segment and screenshot. */
  bytes: z.number().int().min(0),
  video: TrackTotals,
  audio: TrackTotals,
  screenshots: TrackTotals,
  timelineCount: z.number().int().min(0),
  health: HealthLevel.nullable(),
  layout: Layout.nullable(),
  sources: z.array(z.string()),
});
export type SessionRecord = z.infer<typeof SessionRecord>;

export const StoredTrack = z.enum(["video", "audio"]);
export const SegmentRecord = z.object({
  sessionId: SessionId,
  track: StoredTrack,
  seq: z.number().int().min(0),
  startUs: z.number().int().min(0),
  endUs: z.number().int().min(0),
  units: z.number().int().min(0),
  mime: z.string(),
  bytes: z.number().int().min(0),
  sha256: z.string(),
  data: z.instanceof(Blob),
  committedAt: z.number().int(),
});
export type SegmentRecord = z.infer<typeof SegmentRecord>;

export const ScreenshotRecord = z.object({
  sessionId: SessionId,
  seq: z.number().int().min(0),
  ts: z.number().int().min(0),
  width: z.number().int(),
  height: z.number().int(),
  phash: z.string(),
  mime: z.string(),
  bytes: z.number().int().min(0),
  sha256: z.string(),
  data: z.instanceof(Blob),
  committedAt: z.number().int(),
});
export type ScreenshotRecord = z.infer<typeof ScreenshotRecord>;

/** Host timeline events plus the extension's own (state changes, sync reports, storage notes). */
export const TimelineRecord = z.object({
  sessionId: SessionId,
  ts: z.number().int().min(0),
  kind: z.string().min(1),
  detail: z.string(),
  /** Unix ms, for ordering events that share a session-clock ts. */
  at: z.number().int(),
});
export type TimelineRecord = z.infer<typeof TimelineRecord>;

export const SettingsRecordKey = z.enum(["defaults"]);
export const SettingsRecord = z.object({ key: SettingsRecordKey, value: z.unknown(), updatedAt: z.number().int() });
export type SettingsRecord = z.infer<typeof SettingsRecord>;

/** Small key/value records the background needs across worker restarts (the machine snapshot). */
export const RuntimeRecord = z.object({ key: z.string(), value: z.unknown(), updatedAt: z.number().int() });
export type RuntimeRecord = z.infer<typeof RuntimeRecord>;

export function emptySession(id: string, now: number): SessionRecord {
  return {
    id,
    createdAt: now,
    updatedAt: now,
    startedAt: null,
    endedAt: null,
    state: "preparing",
    error: null,
    durationUs: 0,
    bytes: 0,
    video: { count: 0, bytes: 0 },
    audio: { count: 0, bytes: 0 },
    screenshots: { count: 0, bytes: 0 },
    timelineCount: 0,
    health: null,
    layout: null,
    sources: [],
  };
}
