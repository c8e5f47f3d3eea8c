import type { ErrorCode, HealthEvent, HostMessage, Layout, VideoSourceRef } from "@sessions/shared";
import type { PortEvent } from "../host/port-actor";
import type { Settings } from "../settings/settings";
import type { RecordingPlan } from "./source-plan";
import type { WatchdogEvent } from "./watchdog-actor";

/** The session machine's context and events, named by where they come from (ui., host., storage.). */

export type RequestKind =
  | "sources"
  | "start"
  | "pause"
  | "resume"
  | "stop"
  | "status"
  | "resend"
  | "addSource"
  | "removeSource"
  | "setLayout";

/** A source added to or removed from the running recording, waiting for the host's answer. */
export type SourceChange = { op: "add"; source: VideoSourceRef } | { op: "remove"; sourceId: string };

/** The numbers behind the health level, for the side panel; each null until a child reports it. */
export interface LiveMetrics {
  fps: number | null;
  droppedPct: number | null;
  bufferFill: number | null;
  diskFreeBytes: number | null;
  /** From the last sync report: audio start minus video start of one segment slot, and its drift. */
  offsetUs: number | null;
  driftUs: number | null;
}

export interface SessionError {
  code: ErrorCode;
  message: string;
}

export interface SessionContext {
  sessionId: string | null;
  settings: Settings | null;
  createdAt: number | null;
  startedAt: number | null;
  endedAt: number | null;
  /** Unix ms at which the current state's deadline fires (start / stop timeouts); null if none. */
  deadline: number | null;
  reqSeq: number;
  pending: Partial<Record<RequestKind, string>>;
  hostVersion: string | null;
  capabilities: string[];
  plan: RecordingPlan | null;
  health: Pick<HealthEvent, "level" | "warnings"> | null;
  /** Absent in snapshots persisted by older versions: read as null. */
  metrics?: LiveMetrics | null;
  sourceChange?: SourceChange | null;
  /** A layout asked for while recording, waiting for the host's answer. */
  layoutChange?: Layout | null;
  /** A reconnected host said it no longer has this session; finalizing waits for its resend. */
  sessionLost?: boolean;
  error: SessionError | null;
  /** Recorded time before the current run (ms); plus now − runningSince while recording. */
  recordedMs: number;
  runningSince: number | null;
  connection: "connecting" | "connected" | "reconnecting" | "closed";
}

export type MediaMessage = Extract<HostMessage, { type: "segment" | "screenshot" | "timeline" | "sync" }>;

export type SessionEvent =
  | { type: "ui.start"; sessionId: string; settings: Settings }
  | { type: "ui.stop" }
  | { type: "ui.pause" }
  | { type: "ui.resume" }
  | { type: "ui.dismiss" }
  | { type: "ui.addSource"; source: VideoSourceRef }
  | { type: "ui.removeSource"; sourceId: string }
  | { type: "ui.setLayout"; layout: Layout }
  | { type: "storage.committed"; sessionId: string; track: "video" | "audio" | "screenshot"; seq: number }
  | { type: "storage.commitFailed"; code: ErrorCode; message: string }
  | { type: "storage.quotaExceeded"; message: string }
  | PortEvent
  | WatchdogEvent;

export const ACTIVE_STATES = ["preparing", "starting", "recording", "paused", "stopping", "finalizing"] as const;
export type ActiveState = (typeof ACTIVE_STATES)[number];
export type MachineState = "idle" | ActiveState | "completed" | "failed";

export function initialContext(): SessionContext {
  return {
    sessionId: null,
    settings: null,
    createdAt: null,
    startedAt: null,
    endedAt: null,
    deadline: null,
    reqSeq: 0,
    pending: {},
    hostVersion: null,
    capabilities: [],
    plan: null,
    health: null,
    metrics: null,
    sourceChange: null,
    layoutChange: null,
    sessionLost: false,
    error: null,
    recordedMs: 0,
    runningSince: null,
    connection: "closed",
  };
}
