import { ErrorCode, HealthLevel, Layout } from "@sessions/shared";
import type { SnapshotFrom } from "xstate";
import { z } from "zod";
import { SESSION_STATES } from "../storage/records";
import type { MachineState } from "./session-events";
import type { SessionMachine } from "./session-machine";

/**
 * What the UI and the badge need to know about the session machine, as one small validated
 * object (sent to extension pages over chrome.runtime messages), derived from a snapshot.
 */

/** The machine's states: a stored session's states, plus idle (no session yet). */
export const MACHINE_STATES = ["idle", ...SESSION_STATES] as const;

export const SessionStatus = z.object({
  state: z.enum(MACHINE_STATES),
  sessionId: z.string().nullable(),
  startedAt: z.number().nullable(),
  /** Recorded time (pauses excluded) at `at`. */
  elapsedMs: z.number().min(0),
  at: z.number(),
  running: z.boolean(),
  health: z.object({ level: HealthLevel, warnings: z.array(z.string()) }).nullable(),
  /** The numbers behind `health` and the last A/V sync report; null until the host reports. */
  metrics: z
    .object({
      fps: z.number().nullable(),
      droppedPct: z.number().nullable(),
      bufferFill: z.number().nullable(),
      diskFreeBytes: z.number().nullable(),
      offsetUs: z.number().nullable(),
      driftUs: z.number().nullable(),
    })
    .nullable()
    .optional(),
  error: z.object({ code: ErrorCode, message: z.string() }).nullable(),
  connection: z.enum(["connecting", "connected", "reconnecting", "closed"]),
  hostVersion: z.string().nullable(),
  sources: z.array(z.string()),
  /** How the recorded sources are composed (what the host confirmed); null without video. */
  layout: Layout.nullable(),
});
export type SessionStatus = z.infer<typeof SessionStatus>;

export type SessionSnapshot = SnapshotFrom<SessionMachine>;

export function stateName(value: unknown): MachineState {
  if (typeof value === "string") return value as MachineState;
  if (value && typeof value === "object" && "active" in value) return (value as { active: MachineState }).active;
  throw new Error(`unexpected machine state ${JSON.stringify(value)}`);
}

export function statusOf(snapshot: SessionSnapshot, now = Date.now()): SessionStatus {
  const c = snapshot.context;
  const running = c.runningSince !== null;
  return {
    state: stateName(snapshot.value),
    sessionId: c.sessionId,
    startedAt: c.startedAt,
    elapsedMs: c.recordedMs + (c.runningSince === null ? 0 : Math.max(0, now - c.runningSince)),
    at: now,
    running,
    health: c.health,
    metrics: c.metrics ?? null,
    error: c.error,
    connection: c.connection,
    hostVersion: c.hostVersion,
    sources: c.plan?.video?.sources.map((s) => s.id) ?? [],
    layout: c.plan?.video?.layout ?? null,
  };
}
