import { type ErrorCode, SessionStatusResult, SourcesListResult } from "@sessions/shared";
import type { RequestKind, SessionContext, SessionEvent } from "./session-events";
import { planRecording, type RecordingPlan } from "./source-plan";

/**
 * How the session machine reads what arrives: whether a host message answers one of its pending
 * requests, reports a state of its session, or carries its media; and which coded error an event
 * stands for. Pure functions of (context, event), so the machine's guards are one line each and a
 * reply to a request the machine no longer waits for (an old id) never matches.
 */

interface Args {
  context: SessionContext;
  event: SessionEvent;
}

export function replyTo(
  event: SessionEvent,
  ctx: SessionContext,
  kind: RequestKind,
  type: "result" | "error",
): boolean {
  if (event.type !== "host.message") return false;
  const m = event.message;
  return m.type === type && "id" in m && m.id !== null && m.id === ctx.pending[kind];
}

export function hostState(event: SessionEvent, ctx: SessionContext, state: string): boolean {
  if (event.type !== "host.message") return false;
  const m = event.message;
  return m.type === "session.state" && m.sessionId === ctx.sessionId && m.state === state;
}

export function errorOf(event: SessionEvent): { code: ErrorCode; message: string } {
  if (event.type === "host.message" && event.message.type === "error") {
    return { code: event.message.code, message: event.message.message };
  }
  if (event.type === "host.message" && event.message.type === "session.state") {
    return { code: event.message.code ?? "INTERNAL", message: event.message.message ?? "host reported failure" };
  }
  if (event.type === "host.failed" || event.type === "storage.commitFailed") {
    return { code: event.code, message: event.message };
  }
  if (event.type === "storage.quotaExceeded") return { code: "QUOTA_EXCEEDED", message: event.message };
  return { code: "INTERNAL", message: `unexpected ${event.type}` };
}

/** The plan a `sources.list` reply allows with the session's settings; null if none (or not that reply). */
export function plannedFrom(context: SessionContext, event: SessionEvent): RecordingPlan | null {
  if (!replyTo(event, context, "sources", "result") || event.type !== "host.message" || !context.settings) return null;
  const sources = SourcesListResult.safeParse(event.message);
  if (!sources.success) return null;
  const res = planRecording(context.settings, sources.data, context.capabilities);
  return res.ok ? res.plan : null;
}

function statusReply(event: SessionEvent) {
  if (event.type !== "host.message" || event.message.type !== "result") return null;
  const parsed = SessionStatusResult.safeParse(event.message);
  return parsed.success ? parsed.data : null;
}

/** The machine's guards, by name (tests may swap any of them with `.provide()`). */
export const sessionGuards = {
  isReply: ({ context, event }: Args, p: { kind: RequestKind }) => replyTo(event, context, p.kind, "result"),
  isErrorReply: ({ context, event }: Args, p: { kind: RequestKind }) => replyTo(event, context, p.kind, "error"),
  hostSays: ({ context, event }: Args, p: { state: string }) => hostState(event, context, p.state),
  isMediaOfSession: ({ context, event }: Args) =>
    event.type === "host.message" &&
    (event.message.type === "segment" ||
      event.message.type === "screenshot" ||
      event.message.type === "timeline" ||
      event.message.type === "sync") &&
    event.message.sessionId === context.sessionId,
  isHealthOfSession: ({ context, event }: Args) =>
    event.type === "host.message" && event.message.type === "health" && event.message.sessionId === context.sessionId,
  hostFailedSession: ({ context, event }: Args) => hostState(event, context, "failed"),
  /** An error event (id null) about our session: noted; a fatal one is followed by session.state failed. */
  isSessionErrorEvent: ({ context, event }: Args) =>
    event.type === "host.message" &&
    event.message.type === "error" &&
    event.message.id === null &&
    (event.message.sessionId === undefined || event.message.sessionId === context.sessionId),
  statusLostAfterResend: ({ context, event }: Args) =>
    replyTo(event, context, "status", "result") && context.pending.resend === undefined,
  resendDoneAfterLoss: ({ context, event }: Args) =>
    context.sessionLost === true &&
    (replyTo(event, context, "resend", "result") || replyTo(event, context, "resend", "error")),
  hasVideo: ({ context }: Args) => (context.plan?.video ?? null) !== null,
  hostHasSession: ({ context, event }: Args) => {
    if (!replyTo(event, context, "status", "result")) return false;
    return statusReply(event)?.session?.sessionId === context.sessionId;
  },
  hostHasSessionPaused: ({ context, event }: Args) => {
    if (!replyTo(event, context, "status", "result")) return false;
    const s = statusReply(event)?.session;
    return s?.sessionId === context.sessionId && s.state === "paused";
  },
  sourcesPlannable: ({ context, event }: Args) => plannedFrom(context, event) !== null,
};
