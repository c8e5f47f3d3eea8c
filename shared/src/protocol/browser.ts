import { z } from "zod";
import { MEDIA_PART_BYTES } from "../constants";
import { ErrorCode } from "../error-codes";
import { AudioHealth, CaptureHealth, TimelineKind } from "./child";
import {
  AudioConfig,
  AudioInputInfo,
  DisplayInfo,
  ErrorBody,
  Layout,
  Micros,
  RequestId,
  SegmentSeconds,
  SessionId,
  SystemAudioInfo,
  Track,
  VideoConfig,
  VideoSourceRef,
  WebcamInfo,
  WindowInfo,
} from "./common";

/**
 * Extension ⇄ native host protocol, version 1. Frames: 4-byte little-endian length + UTF-8
 * JSON. Requests carry `id`; each is answered by exactly one `result` / `hello` or `error`
 * with the same id. Events carry no id. See shared/PROTOCOL.md for examples.
 */

const req = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ type: z.literal(type), id: RequestId, ...shape });
const withSession = { sessionId: SessionId };

// ── requests (extension → host) ───────────────────────────────────────────────
export const HelloRequest = req("hello", {
  protocol: z.number().int().min(0),
  extensionVersion: z.string().min(1).max(64),
});
export const PingRequest = req("ping", {});
export const SourcesListRequest = req("sources.list", {});
export const SessionStartRequest = req("session.start", {
  ...withSession,
  video: VideoConfig.nullable(),
  audio: AudioConfig,
  segmentSeconds: SegmentSeconds,
});
export const SessionAddSourceRequest = req("session.addSource", { ...withSession, source: VideoSourceRef });
export const SessionRemoveSourceRequest = req("session.removeSource", { ...withSession, sourceId: z.string().min(1) });
export const SessionSetLayoutRequest = req("session.setLayout", { ...withSession, layout: Layout });
export const SessionPauseRequest = req("session.pause", withSession);
export const SessionResumeRequest = req("session.resume", withSession);
export const SessionStopRequest = req("session.stop", withSession);
export const SessionStatusRequest = req("session.status", {});
export const SegmentAckRequest = req("segment.ack", {
  ...withSession,
  track: z.enum(["video", "audio", "screenshot"]),
  seq: z.number().int().min(0),
});
/** Ask the host to send again every media item not yet acknowledged (after a reconnect). */
export const SegmentsResendRequest = req("segments.resend", {});

export const HostRequest = z.discriminatedUnion("type", [
  HelloRequest,
  PingRequest,
  SourcesListRequest,
  SessionStartRequest,
  SessionAddSourceRequest,
  SessionRemoveSourceRequest,
  SessionSetLayoutRequest,
  SessionPauseRequest,
  SessionResumeRequest,
  SessionStopRequest,
  SessionStatusRequest,
  SegmentAckRequest,
  SegmentsResendRequest,
]);
export type HostRequest = z.infer<typeof HostRequest>;
export type HostRequestType = HostRequest["type"];
export const HOST_REQUEST_TYPES = HostRequest.options.map((o) => o.shape.type.value);

// ── replies (host → extension) ────────────────────────────────────────────────
export const Capability = z.enum([
  "capture.display",
  "capture.window",
  "capture.webcam",
  "capture.test-pattern",
  "audio.mic",
  "audio.system",
  "layout.grid",
  "layout.side-by-side",
]);
export const HelloReply = z.object({
  type: z.literal("hello"),
  id: RequestId,
  protocol: z.number().int(),
  hostVersion: z.string(),
  platform: z.enum(["linux", "darwin", "win32"]),
  capabilities: z.array(z.string()),
});
export const ResultReply = z.looseObject({ type: z.literal("result"), id: RequestId });
export const ErrorMessage = z.object({
  type: z.literal("error"),
  /** null when the error answers no request (e.g. a frame that was not JSON) or is an event. */
  id: RequestId.nullable(),
  sessionId: SessionId.optional(),
  ...ErrorBody,
  retryable: z.boolean(),
});
export type ErrorMessage = z.infer<typeof ErrorMessage>;

/** Payload of `result` for each request type that returns data. */
export const SourcesListResult = z.object({
  displays: z.array(DisplayInfo),
  windows: z.array(WindowInfo),
  webcams: z.array(WebcamInfo),
  audioInputs: z.array(AudioInputInfo),
  systemAudio: SystemAudioInfo,
});
export type SourcesListResult = z.infer<typeof SourcesListResult>;
export const SessionStartResult = z.object({ sessionId: SessionId, startedAt: z.number().int() });
export const SessionStatusResult = z.object({
  session: z
    .object({ sessionId: SessionId, state: z.enum(["starting", "recording", "paused", "stopping"]) })
    .nullable(),
  unacknowledged: z.number().int().min(0),
});
export type SessionStatusResult = z.infer<typeof SessionStatusResult>;

// ── events (host → extension) ─────────────────────────────────────────────────
export const SessionState = z.enum(["starting", "recording", "paused", "stopping", "stopped", "failed"]);
export const SessionStateEvent = z.object({
  type: z.literal("session.state"),
  sessionId: SessionId,
  state: SessionState,
  ts: Micros,
  code: ErrorCode.optional(),
  message: z.string().optional(),
});
export const HealthLevel = z.enum(["ok", "warning", "critical"]);
export const HealthEvent = z.object({
  type: z.literal("health"),
  sessionId: SessionId,
  ts: Micros,
  level: HealthLevel,
  /** Human-readable, each naming what is wrong ("frames dropping: 3.1 %"). */
  warnings: z.array(z.string()),
  video: CaptureHealth.omit({ type: true, ts: true }).nullable(),
  audio: AudioHealth.omit({ type: true, ts: true }).nullable(),
  host: z.object({
    queueDepth: z.number().int().min(0),
    unacknowledged: z.number().int().min(0),
    diskFreeBytes: z.number().int().min(0),
    rssBytes: z.number().int().min(0),
  }),
});
export type HealthEvent = z.infer<typeof HealthEvent>;
export const SyncEvent = z.object({
  type: z.literal("sync"),
  sessionId: SessionId,
  seq: z.number().int().min(0),
  videoStartUs: Micros,
  videoEndUs: Micros,
  audioStartUs: Micros,
  audioEndUs: Micros,
  /** audio start minus video start, µs (positive: audio starts later). */
  offsetUs: z.number().int(),
  /** change of the offset since the first segment, µs. */
  driftUs: z.number().int(),
});
export const TimelineEvent = z.object({
  type: z.literal("timeline"),
  sessionId: SessionId,
  ts: Micros,
  kind: TimelineKind,
  detail: z.string().max(4096),
});

/** One part of a media item; parts of one item share track+seq and arrive in order. */
const mediaPart = {
  sessionId: SessionId,
  seq: z.number().int().min(0),
  part: z.number().int().min(0),
  parts: z.number().int().min(1),
  mime: z.string().min(1),
  /** hex sha256 of the whole item (all parts joined). */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().min(0),
  /** base64 of at most MEDIA_PART_BYTES bytes. */
  data: z.string().max(Math.ceil(MEDIA_PART_BYTES / 3) * 4),
};
export const SegmentEvent = z.object({
  type: z.literal("segment"),
  track: Track,
  startUs: Micros,
  endUs: Micros,
  units: z.number().int().min(0),
  ...mediaPart,
});
export type SegmentEvent = z.infer<typeof SegmentEvent>;
export const ScreenshotMessage = z.object({
  type: z.literal("screenshot"),
  ts: Micros,
  width: z.number().int().min(1),
  height: z.number().int().min(1),
  phash: z.string().regex(/^[0-9a-f]{16}$/),
  ...mediaPart,
});
export type ScreenshotMessage = z.infer<typeof ScreenshotMessage>;

export const HostMessage = z.union([
  HelloReply,
  ResultReply,
  ErrorMessage,
  SessionStateEvent,
  HealthEvent,
  SyncEvent,
  TimelineEvent,
  SegmentEvent,
  ScreenshotMessage,
]);
export type HostMessage = z.infer<typeof HostMessage>;
