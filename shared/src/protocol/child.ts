import { z } from "zod";
import {
  AudioInputInfo,
  DeviceState,
  DisplayInfo,
  ErrorBody,
  Layout,
  Level,
  MicConfig,
  Micros,
  RequestId,
  SegmentSeconds,
  SessionId,
  SystemAudioConfig,
  SystemAudioInfo,
  VideoConfig,
  VideoSourceRef,
  WebcamInfo,
  WindowInfo,
} from "./common";

/**
 * Host ⇄ child protocol: one JSON object per line on the child's stdin (commands) and stdout
 * (replies and events). Logs go to stderr. A child exits after finishing its current segment
 * when stdin reaches EOF. See shared/PROTOCOL.md.
 */

/** The session clock: CLOCK_MONOTONIC nanoseconds (decimal string, may exceed 2^53) at ts = 0. */
export const SessionClock = z.object({ originNs: z.string().regex(/^[0-9]{1,20}$/) });

const cmd = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ type: z.literal(type), id: RequestId, ...shape });

// ── commands common to both children ───────────────────────────────────────────
export const ListSourcesCommand = cmd("list-sources", {});
export const PauseCommand = cmd("pause", {});
export const ResumeCommand = cmd("resume", {});
export const StopCommand = cmd("stop", {});

// ── sessions-audio ─────────────────────────────────────────────────────────────
export const AudioStartCommand = cmd("start", {
  sessionId: SessionId,
  clock: SessionClock,
  spoolDir: z.string().min(1),
  segmentSeconds: SegmentSeconds,
  mic: MicConfig.nullable(),
  system: SystemAudioConfig.nullable(),
});
export const AudioCommand = z.discriminatedUnion("type", [
  ListSourcesCommand,
  AudioStartCommand,
  PauseCommand,
  ResumeCommand,
  StopCommand,
]);
export type AudioCommand = z.infer<typeof AudioCommand>;

// ── swift-capture ──────────────────────────────────────────────────────────────
export const CaptureStartCommand = cmd("start", {
  sessionId: SessionId,
  clock: SessionClock,
  spoolDir: z.string().min(1),
  segmentSeconds: SegmentSeconds,
  video: VideoConfig,
  screenshotSeconds: z.number().int().min(1).max(600),
});
export const AddSourceCommand = cmd("add-source", { source: VideoSourceRef });
export const RemoveSourceCommand = cmd("remove-source", { sourceId: z.string().min(1) });
export const SetLayoutCommand = cmd("set-layout", { layout: Layout });
export const CaptureCommand = z.discriminatedUnion("type", [
  ListSourcesCommand,
  CaptureStartCommand,
  AddSourceCommand,
  RemoveSourceCommand,
  SetLayoutCommand,
  PauseCommand,
  ResumeCommand,
  StopCommand,
]);
export type CaptureCommand = z.infer<typeof CaptureCommand>;

// ── replies (carry the command's id) ──────────────────────────────────────────
/** Success of any command; `start` is answered only once the pipeline is running. */
export const OkReply = z.object({ type: z.literal("ok"), id: RequestId });
export const ErrorReply = z.object({ type: z.literal("error"), id: RequestId.nullable(), ...ErrorBody });
export const AudioSourcesReply = z.object({
  type: z.literal("sources"),
  id: RequestId,
  inputs: z.array(AudioInputInfo),
  system: SystemAudioInfo,
});
export const CaptureSourcesReply = z.object({
  type: z.literal("sources"),
  id: RequestId,
  displays: z.array(DisplayInfo),
  windows: z.array(WindowInfo),
  webcams: z.array(WebcamInfo),
});

// ── events (no id) ─────────────────────────────────────────────────────────────
export const ChildState = z.enum(["recording", "paused", "stopped"]);
export const StateEvent = z.object({ type: z.literal("state"), state: ChildState, ts: Micros });
/**
 * A finished segment file in the spool folder (already renamed from its temp name).
 * startUs/endUs are on the session clock with paused time removed (media time).
 */
export const ChildSegmentEvent = z.object({
  type: z.literal("segment"),
  track: z.enum(["video", "audio"]),
  seq: z.number().int().min(0),
  path: z.string().min(1),
  mime: z.string().min(1),
  startUs: Micros,
  endUs: Micros,
  bytes: z.number().int().min(0),
  /** video: frames in the segment; audio: samples per channel. */
  units: z.number().int().min(0),
  /** audio only: index of the first sample on the media timeline. */
  firstSample: z.number().int().min(0).optional(),
});
export const TimelineKind = z.enum([
  "pause",
  "resume",
  "source-added",
  "source-removed",
  "source-lost",
  "device-lost",
  "device-switched",
  "device-silent",
  "child-restarted",
  "gap",
  "warning",
]);
export const ChildTimelineEvent = z.object({
  type: z.literal("timeline"),
  ts: Micros,
  kind: TimelineKind,
  detail: z.string().max(4096),
});
export const AudioHealth = z.object({
  type: z.literal("health"),
  ts: Micros,
  /** 0..1 fill of the capture ring(s): the fuller of mic and system. */
  bufferFill: z.number().min(0).max(1),
  bufferWarning: z.boolean(),
  overruns: z.number().int().min(0),
  droppedSamples: z.number().int().min(0),
  callbackJitterUs: z.number().min(0),
  encoderLagMs: z.number().min(0),
  levels: z.object({ mic: Level.nullable(), system: Level.nullable() }),
  devices: z.object({ mic: DeviceState.nullable(), system: DeviceState.nullable() }),
});
export const CaptureSourceHealth = z.object({
  id: z.string(),
  fps: z.number().min(0),
  dropped: z.number().int().min(0),
  duplicated: z.number().int().min(0),
  state: z.enum(["ok", "static", "lost"]),
});
export const CaptureHealth = z.object({
  type: z.literal("health"),
  ts: Micros,
  fps: z.number().min(0),
  framesOut: z.number().int().min(0),
  dropped: z.number().int().min(0),
  duplicated: z.number().int().min(0),
  encodeLagMs: z.number().min(0),
  sources: z.array(CaptureSourceHealth),
});
export const ScreenshotEvent = z.object({
  type: z.literal("screenshot"),
  ts: Micros,
  path: z.string().min(1),
  mime: z.string().min(1),
  width: z.number().int().min(1),
  height: z.number().int().min(1),
  /** 64-bit perceptual hash (dHash of the composite), 16 hex digits. */
  phash: z.string().regex(/^[0-9a-f]{16}$/),
});

export const AudioOutput = z.union([
  OkReply,
  ErrorReply,
  AudioSourcesReply,
  StateEvent,
  ChildSegmentEvent,
  ChildTimelineEvent,
  AudioHealth,
]);
export type AudioOutput = z.infer<typeof AudioOutput>;
export const CaptureOutput = z.union([
  OkReply,
  ErrorReply,
  CaptureSourcesReply,
  StateEvent,
  ChildSegmentEvent,
  ChildTimelineEvent,
  CaptureHealth,
  ScreenshotEvent,
]);
export type CaptureOutput = z.infer<typeof CaptureOutput>;
