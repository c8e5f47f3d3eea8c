import { z } from "zod";
import { MAX_FPS, MAX_SEGMENT_SECONDS, MAX_VIDEO_SOURCES, MIN_SEGMENT_SECONDS } from "../constants";
import { ErrorCode } from "../error-codes";

/** Request ids are short opaque strings chosen by the caller. */
export const RequestId = z.string().min(1).max(64);
/** Session ids: UUID-like, safe in file names. */
export const SessionId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
/** Microseconds on the session clock (0 = session start). */
export const Micros = z.number().int().min(0);
export const Rect = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().min(0),
  height: z.number().int().min(0),
});
export const Layout = z.enum(["passthrough", "grid", "side-by-side"]);
export type Layout = z.infer<typeof Layout>;
export const SourceKind = z.enum(["display", "window", "webcam", "test-pattern"]);
export type SourceKind = z.infer<typeof SourceKind>;
export const VideoSourceRef = z.object({
  id: z.string().min(1).max(256),
  kind: SourceKind,
});
export type VideoSourceRef = z.infer<typeof VideoSourceRef>;
export const Track = z.enum(["video", "audio"]);
export type Track = z.infer<typeof Track>;
export const SegmentSeconds = z.number().int().min(MIN_SEGMENT_SECONDS).max(MAX_SEGMENT_SECONDS);

export const VideoConfig = z.object({
  sources: z.array(VideoSourceRef).min(1).max(MAX_VIDEO_SOURCES),
  layout: Layout,
  fps: z.number().int().min(1).max(MAX_FPS),
  maxWidth: z.number().int().min(16).max(7680),
  maxHeight: z.number().int().min(16).max(4320),
});
export type VideoConfig = z.infer<typeof VideoConfig>;

/** `device` is an input id from sources.list, "default", or a synthetic one ("synthetic:tone:440"). */
export const MicConfig = z.object({ device: z.string().min(1).max(256), gain: z.number().min(0).max(4).default(1) });
export const SystemAudioConfig = z.object({ gain: z.number().min(0).max(4).default(1) });
export const AudioConfig = z.object({
  mic: MicConfig.nullable(),
  system: SystemAudioConfig.nullable(),
});
export type AudioConfig = z.infer<typeof AudioConfig>;

export const ErrorBody = {
  code: ErrorCode,
  message: z.string().max(4096),
};

export const DisplayInfo = z.object({
  id: z.string(),
  name: z.string(),
  width: z.number().int(),
  height: z.number().int(),
});
export const WindowInfo = z.object({ id: z.string(), title: z.string(), app: z.string(), bounds: Rect });
export const WebcamInfo = z.object({ id: z.string(), name: z.string() });
export const AudioInputInfo = z.object({
  id: z.string(),
  name: z.string(),
  isDefault: z.boolean(),
  channels: z.number().int().min(1),
  sampleRate: z.number().int().min(1),
});
export const SystemAudioInfo = z.object({ available: z.boolean(), name: z.string().optional() });

export const Level = z.object({ rms: z.number().min(0), peak: z.number().min(0) });
export const DeviceState = z.enum(["ok", "silent", "missing", "switched"]);
