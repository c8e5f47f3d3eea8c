import { SessionStartResult } from "@sessions/shared";
import {
  initialContext,
  type RequestKind,
  type SessionContext,
  type SessionError,
  type SessionEvent,
} from "./session-events";

/**
 * How the session machine's context changes along the lifecycle, as pure functions returning
 * the fields that change (the machine wraps each in `assign`): a new session, request ids, the
 * host's hello, the start, the recorded-time clock that leaves pauses out, and the end. Time is
 * passed in, so each update is a plain function of its inputs.
 */

export function beginSession(event: SessionEvent, now: number, prepareMs: number): Partial<SessionContext> {
  if (event.type !== "ui.start") return {};
  return {
    ...initialContext(),
    sessionId: event.sessionId,
    settings: event.settings,
    createdAt: now,
    deadline: now + prepareMs,
    connection: "connecting",
  };
}

/** Every request gets a fresh id; a reply counts only if it carries the id still pending. */
export function nextRequestId(context: SessionContext, kind: RequestKind): Partial<SessionContext> {
  return {
    reqSeq: context.reqSeq + 1,
    pending: { ...context.pending, [kind]: `${kind}-${context.reqSeq + 1}` },
  };
}

export function clearPending(context: SessionContext, kind: RequestKind): Partial<SessionContext> {
  const { [kind]: _done, ...rest } = context.pending;
  return { pending: rest };
}

export function helloPatch(event: SessionEvent): Partial<SessionContext> {
  if (event.type !== "host.ready") return {};
  return { hostVersion: event.hello.hostVersion, capabilities: event.hello.capabilities, connection: "connected" };
}

/** The host's start time when its reply says it; else (a state event, a reattach) now. */
export function startedPatch(event: SessionEvent, now: number): Partial<SessionContext> {
  const r = event.type === "host.message" ? SessionStartResult.safeParse(event.message) : null;
  return { startedAt: r?.success ? r.data.startedAt : now };
}

export function haltClock(context: SessionContext, now: number): Partial<SessionContext> {
  const running = context.runningSince === null ? 0 : now - context.runningSince;
  return { recordedMs: context.recordedMs + running, runningSince: null };
}

export function ended(error: SessionError | null, now: number): Partial<SessionContext> {
  return { error, endedAt: now, connection: "closed" };
}

/** A `stopped` event may carry a code (a child was killed at its deadline): it becomes the error. */
export function hostCodePatch(event: SessionEvent, context: SessionContext): Partial<SessionContext> {
  if (event.type !== "host.message" || event.message.type !== "session.state" || !event.message.code)
    return { error: context.error };
  return { error: { code: event.message.code, message: event.message.message ?? event.message.code } };
}
