import {
  type ErrorCode,
  HOST_REPORT_GRACE_MS,
  HostRequest,
  SessionStartResult,
  SessionStatusResult,
  SourcesListResult,
  START_TIMEOUT_MS,
  STOP_TIMEOUT_MS,
} from "@sessions/shared";
import { assign, fromPromise, sendTo, setup } from "xstate";
import { createPortActor, type PortDeps } from "../host/port-actor";
import {
  initialContext,
  type LiveMetrics,
  type MediaMessage,
  type RequestKind,
  type SessionContext,
  type SessionEvent,
} from "./session-events";
import { planRecording } from "./source-plan";
import { watchdogActor } from "./watchdog-actor";

/**
 * The session lifecycle: idle → preparing (hello, sources) → starting → recording ⇄ paused →
 * stopping → finalizing → completed, and failed (with a coded reason) from any active state.
 * Guarantees: the context is plain JSON (the persisted snapshot restores it after a worker
 * restart); every deadline lives in context and is enforced by the `watchdog` actor, so it
 * survives a restart; after a reconnect the machine asks the host for `session.status` and either
 * reattaches or finalizes what was committed. Every actor, guard and side effect is named so
 * tests swap them with `.provide()`.
 */

export interface FinalizeInput {
  sessionId: string;
  error: SessionContext["error"];
}

export interface SessionMachineDeps {
  port: PortDeps;
  /** Flushes pending writes and closes the session record. */
  finalize: (input: FinalizeInput) => Promise<void>;
  /** Receives segments, screenshots, timeline and sync events of the active session. */
  onMedia: (message: MediaMessage) => void;
}

type HostMsgEvent = Extract<SessionEvent, { type: "host.message" }>;
const PREPARE_TIMEOUT_MS = START_TIMEOUT_MS;

/** The host's own TIMEOUT report (which names the child that hung) gets HOST_REPORT_GRACE_MS to arrive first. */
export { HOST_REPORT_GRACE_MS };
export const START_DEADLINE_MS = START_TIMEOUT_MS + HOST_REPORT_GRACE_MS;
export const STOP_DEADLINE_MS = STOP_TIMEOUT_MS + HOST_REPORT_GRACE_MS;

function replyTo(event: SessionEvent, ctx: SessionContext, kind: RequestKind, type: "result" | "error"): boolean {
  if (event.type !== "host.message") return false;
  const m = event.message;
  return m.type === type && "id" in m && m.id !== null && m.id === ctx.pending[kind];
}

function hostState(event: SessionEvent, ctx: SessionContext, state: string): boolean {
  if (event.type !== "host.message") return false;
  const m = event.message;
  return m.type === "session.state" && m.sessionId === ctx.sessionId && m.state === state;
}

function errorOf(event: SessionEvent): { code: ErrorCode; message: string } {
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

function statusOf(event: SessionEvent) {
  if (event.type !== "host.message" || event.message.type !== "result") return null;
  const parsed = SessionStatusResult.safeParse(event.message);
  return parsed.success ? parsed.data : null;
}

export function createSessionMachine(deps: SessionMachineDeps) {
  return setup({
    types: { context: {} as SessionContext, events: {} as SessionEvent },
    actors: {
      port: createPortActor(deps.port),
      watchdog: watchdogActor,
      finalize: fromPromise<void, FinalizeInput>(({ input }) => deps.finalize(input)),
    },
    guards: {
      isReply: ({ context, event }, p: { kind: RequestKind }) => replyTo(event, context, p.kind, "result"),
      isErrorReply: ({ context, event }, p: { kind: RequestKind }) => replyTo(event, context, p.kind, "error"),
      hostSays: ({ context, event }, p: { state: string }) => hostState(event, context, p.state),
      isMediaOfSession: ({ context, event }) =>
        event.type === "host.message" &&
        (event.message.type === "segment" ||
          event.message.type === "screenshot" ||
          event.message.type === "timeline" ||
          event.message.type === "sync") &&
        event.message.sessionId === context.sessionId,
      isHealthOfSession: ({ context, event }) =>
        event.type === "host.message" &&
        event.message.type === "health" &&
        event.message.sessionId === context.sessionId,
      hostFailedSession: ({ context, event }) => hostState(event, context, "failed"),
      /** An error event (id null) about our session: noted; a fatal one is followed by session.state failed. */
      isSessionErrorEvent: ({ context, event }) =>
        event.type === "host.message" &&
        event.message.type === "error" &&
        event.message.id === null &&
        (event.message.sessionId === undefined || event.message.sessionId === context.sessionId),
      statusLostAfterResend: ({ context, event }) =>
        replyTo(event, context, "status", "result") && context.pending.resend === undefined,
      resendDoneAfterLoss: ({ context, event }) =>
        context.sessionLost === true &&
        (replyTo(event, context, "resend", "result") || replyTo(event, context, "resend", "error")),
      hasVideo: ({ context }) => (context.plan?.video ?? null) !== null,
      hostHasSession: ({ context, event }) => {
        if (!replyTo(event, context, "status", "result")) return false;
        return statusOf(event)?.session?.sessionId === context.sessionId;
      },
      hostHasSessionPaused: ({ context, event }) => {
        if (!replyTo(event, context, "status", "result")) return false;
        const s = statusOf(event)?.session;
        return s?.sessionId === context.sessionId && s.state === "paused";
      },
      sourcesPlannable: ({ context, event }) => {
        if (!replyTo(event, context, "sources", "result") || event.type !== "host.message") return false;
        const sources = SourcesListResult.safeParse(event.message);
        return (
          sources.success &&
          context.settings !== null &&
          planRecording(context.settings, sources.data, context.capabilities).ok
        );
      },
    },
    actions: {
      send: sendTo("port", ({ context }, p: { kind: RequestKind }) => ({
        type: "host.send" as const,
        request: buildRequest(p.kind, context),
      })),
      nextRequestId: assign(({ context }, p: { kind: RequestKind }) => ({
        reqSeq: context.reqSeq + 1,
        pending: { ...context.pending, [p.kind]: `${p.kind}-${context.reqSeq + 1}` },
      })),
      clearPending: assign(({ context }, p: { kind: RequestKind }) => {
        const { [p.kind]: _done, ...rest } = context.pending;
        return { pending: rest };
      }),
      ack: sendTo("port", ({ context, event }) => {
        if (event.type !== "storage.committed") throw new Error("ack needs storage.committed");
        return {
          type: "host.send" as const,
          request: HostRequest.parse({
            type: "segment.ack",
            id: `ack-${event.track}-${event.seq}`,
            sessionId: event.sessionId ?? context.sessionId,
            track: event.track,
            seq: event.seq,
          }),
        };
      }),
      begin: assign(({ event }) => {
        if (event.type !== "ui.start") return {};
        return {
          ...initialContext(),
          sessionId: event.sessionId,
          settings: event.settings,
          createdAt: Date.now(),
          deadline: Date.now() + PREPARE_TIMEOUT_MS,
          connection: "connecting" as const,
        };
      }),
      setDeadline: assign((_, p: { ms: number }) => ({ deadline: Date.now() + p.ms })),
      clearDeadline: assign({ deadline: null }),
      rememberHello: assign(({ event }) =>
        event.type === "host.ready"
          ? {
              hostVersion: event.hello.hostVersion,
              capabilities: event.hello.capabilities,
              connection: "connected" as const,
            }
          : {},
      ),
      markReconnecting: assign({ connection: "reconnecting" as const }),
      makePlan: assign(({ context, event }) => {
        if (event.type !== "host.message" || !context.settings) return {};
        const sources = SourcesListResult.parse(event.message);
        const res = planRecording(context.settings, sources, context.capabilities);
        return res.ok ? { plan: res.plan } : {};
      }),
      markStarted: assign(({ event }) => {
        const r = event.type === "host.message" ? SessionStartResult.safeParse(event.message) : null;
        return { startedAt: r?.success ? r.data.startedAt : Date.now() };
      }),
      runClock: assign({ runningSince: () => Date.now() }),
      haltClock: assign(({ context }) => ({
        recordedMs: context.recordedMs + (context.runningSince === null ? 0 : Date.now() - context.runningSince),
        runningSince: null,
      })),
      fail: assign(({ event }) => ({ error: errorOf(event), endedAt: Date.now(), connection: "closed" as const })),
      failWith: assign((_, p: { code: ErrorCode; message: string }) => ({
        error: { code: p.code, message: p.message },
        endedAt: Date.now(),
        connection: "closed" as const,
      })),
      noteError: assign(({ event }) => ({ error: errorOf(event) })),
      /** A `stopped` event may carry a code (a child was killed at its deadline): keep it. */
      noteHostCode: assign(({ event, context }) =>
        event.type === "host.message" && event.message.type === "session.state" && event.message.code
          ? { error: { code: event.message.code, message: event.message.message ?? event.message.code } }
          : { error: context.error },
      ),
      noteErrorWith: assign((_, p: { code: ErrorCode; message: string }) => ({
        error: { code: p.code, message: p.message },
      })),
      finish: assign({ endedAt: () => Date.now(), connection: "closed" as const }),
      takeHealth: assign(({ event, context }) => {
        if (event.type !== "host.message" || event.message.type !== "health") return {};
        const h = event.message;
        const shown = h.video ? h.video.framesOut + h.video.dropped : 0;
        return {
          health: { level: h.level, warnings: h.warnings },
          metrics: {
            ...(context.metrics ?? EMPTY_METRICS),
            fps: h.video ? round(h.video.fps, 1) : null,
            droppedPct: h.video && shown > 0 ? round((100 * h.video.dropped) / shown, 1) : null,
            bufferFill: h.audio ? round(h.audio.bufferFill, 3) : null,
            diskFreeBytes: h.host.diskFreeBytes,
          },
        };
      }),
      takeSync: assign(({ event, context }) =>
        event.type === "host.message" && event.message.type === "sync"
          ? {
              metrics: {
                ...(context.metrics ?? EMPTY_METRICS),
                offsetUs: event.message.offsetUs,
                driftUs: event.message.driftUs,
              },
            }
          : {},
      ),
      noteSourceChange: assign(({ event }) => {
        if (event.type === "ui.addSource") return { sourceChange: { op: "add" as const, source: event.source } };
        if (event.type === "ui.removeSource")
          return { sourceChange: { op: "remove" as const, sourceId: event.sourceId } };
        return {};
      }),
      /** The host accepted the change: the plan (and so the status' source list) follows it. */
      applySourceChange: assign(({ context }) => {
        const change = context.sourceChange;
        const video = context.plan?.video;
        if (!change || !video || !context.plan) return { sourceChange: null };
        const sources =
          change.op === "add"
            ? [...video.sources.filter((s) => s.id !== change.source.id), change.source]
            : video.sources.filter((s) => s.id !== change.sourceId);
        return { sourceChange: null, plan: { ...context.plan, video: { ...video, sources } } };
      }),
      dropSourceChange: assign({ sourceChange: null }),
      markSessionLost: assign({ sessionLost: true }),
      forwardMedia: ({ event }) => {
        if (event.type === "host.message") deps.onMedia(event.message as MediaMessage);
      },
    },
  }).createMachine({
    id: "session",
    initial: "idle",
    context: initialContext,
    states: {
      idle: { on: { "ui.start": { target: "active", actions: "begin" } } },
      active: {
        invoke: { id: "port", src: "port" },
        on: {
          "host.failed": { target: "failed", actions: "fail" },
          "host.lost": { actions: "markReconnecting" },
          "host.ready": { actions: "rememberHello" },
          "host.message": [
            { guard: "isMediaOfSession", actions: ["forwardMedia", "takeSync"] },
            { guard: "isHealthOfSession", actions: "takeHealth" },
            { guard: "hostFailedSession", target: "failed", actions: "fail" },
            { guard: "isSessionErrorEvent", actions: "noteError" },
            {
              guard: "resendDoneAfterLoss",
              target: ".finalizing",
              actions: { type: "clearPending", params: { kind: "resend" } },
            },
            {
              guard: { type: "isReply", params: { kind: "resend" } },
              actions: { type: "clearPending", params: { kind: "resend" } },
            },
            {
              guard: { type: "isReply", params: { kind: "addSource" } },
              actions: ["applySourceChange", { type: "clearPending", params: { kind: "addSource" } }],
            },
            {
              guard: { type: "isReply", params: { kind: "removeSource" } },
              actions: ["applySourceChange", { type: "clearPending", params: { kind: "removeSource" } }],
            },
            {
              guard: { type: "isErrorReply", params: { kind: "addSource" } },
              actions: ["dropSourceChange", "noteError"],
            },
            {
              guard: { type: "isErrorReply", params: { kind: "removeSource" } },
              actions: ["dropSourceChange", "noteError"],
            },
          ],
          "storage.committed": { actions: "ack" },
          "storage.commitFailed": { actions: "noteError" },
        },
        initial: "preparing",
        states: {
          preparing: {
            invoke: { src: "watchdog", input: ({ context }) => ({ deadline: context.deadline }) },
            on: {
              "host.ready": {
                actions: [
                  "rememberHello",
                  { type: "nextRequestId", params: { kind: "sources" } },
                  { type: "send", params: { kind: "sources" } },
                ],
              },
              "host.message": [
                {
                  guard: "sourcesPlannable",
                  target: "starting",
                  actions: ["makePlan", { type: "clearPending", params: { kind: "sources" } }],
                },
                {
                  guard: { type: "isReply", params: { kind: "sources" } },
                  target: "#session.failed",
                  actions: { type: "failWith", params: { code: "SOURCE_UNAVAILABLE", message: "no source to record" } },
                },
                {
                  guard: { type: "isErrorReply", params: { kind: "sources" } },
                  target: "#session.failed",
                  actions: "fail",
                },
              ],
              "ui.stop": { target: "finalizing" },
              "watchdog.timeout": {
                target: "#session.failed",
                actions: { type: "failWith", params: { code: "TIMEOUT", message: "host did not get ready in time" } },
              },
            },
          },
          starting: {
            entry: [
              { type: "setDeadline", params: { ms: START_DEADLINE_MS } },
              { type: "nextRequestId", params: { kind: "start" } },
              { type: "send", params: { kind: "start" } },
            ],
            invoke: { src: "watchdog", input: ({ context }) => ({ deadline: context.deadline }) },
            on: {
              "host.message": [
                { guard: { type: "isReply", params: { kind: "start" } }, target: "recording", actions: "markStarted" },
                {
                  guard: { type: "hostSays", params: { state: "recording" } },
                  target: "recording",
                  actions: "markStarted",
                },
                {
                  guard: { type: "isErrorReply", params: { kind: "start" } },
                  target: "#session.failed",
                  actions: "fail",
                },
                { guard: "hostHasSession", target: "recording", actions: "markStarted" },
                {
                  guard: { type: "isReply", params: { kind: "status" } },
                  target: "#session.failed",
                  actions: {
                    type: "failWith",
                    params: { code: "HOST_DISCONNECTED", message: "host lost the session while starting" },
                  },
                },
              ],
              "host.ready": { actions: ["rememberHello", ...statusCheck()] },
              "ui.stop": { target: "stopping" },
              "watchdog.timeout": {
                target: "#session.failed",
                actions: {
                  type: "failWith",
                  params: { code: "TIMEOUT", message: `recording did not start within ${START_DEADLINE_MS} ms` },
                },
              },
            },
            exit: "clearDeadline",
          },
          recording: {
            entry: "runClock",
            exit: "haltClock",
            on: {
              "ui.pause": {
                actions: [
                  { type: "nextRequestId", params: { kind: "pause" } },
                  { type: "send", params: { kind: "pause" } },
                ],
              },
              "ui.stop": { target: "stopping" },
              ...sourceChanges(),
              "storage.quotaExceeded": { target: "stopping", actions: "noteError" },
              "host.ready": { actions: ["rememberHello", ...statusCheck()] },
              "host.message": [
                { guard: { type: "isReply", params: { kind: "pause" } }, target: "paused" },
                { guard: { type: "hostSays", params: { state: "paused" } }, target: "paused" },
                { guard: { type: "isErrorReply", params: { kind: "pause" } }, actions: "noteError" },
                { guard: "hostHasSessionPaused", target: "paused" },
                { guard: "hostHasSession", actions: { type: "clearPending", params: { kind: "status" } } },
                // The new host lost the recording: finalize once it has resent what its predecessor
                // spooled but never had acknowledged (the resend reply follows those items).
                { guard: "statusLostAfterResend", target: "finalizing", actions: lostSession() },
                {
                  guard: { type: "isReply", params: { kind: "status" } },
                  actions: [lostSession(), "markSessionLost"],
                },
                {
                  guard: { type: "hostSays", params: { state: "stopped" } },
                  target: "finalizing",
                  actions: "noteHostCode",
                },
              ],
            },
          },
          paused: {
            on: {
              "ui.resume": {
                actions: [
                  { type: "nextRequestId", params: { kind: "resume" } },
                  { type: "send", params: { kind: "resume" } },
                ],
              },
              "ui.stop": { target: "stopping" },
              ...sourceChanges(),
              "storage.quotaExceeded": { target: "stopping", actions: "noteError" },
              "host.ready": { actions: ["rememberHello", ...statusCheck()] },
              "host.message": [
                { guard: { type: "isReply", params: { kind: "resume" } }, target: "recording" },
                { guard: { type: "hostSays", params: { state: "recording" } }, target: "recording" },
                { guard: { type: "isErrorReply", params: { kind: "resume" } }, actions: "noteError" },
                { guard: "hostHasSessionPaused", actions: { type: "clearPending", params: { kind: "status" } } },
                { guard: "hostHasSession", target: "recording" },
                // The new host lost the recording: finalize once it has resent what its predecessor
                // spooled but never had acknowledged (the resend reply follows those items).
                { guard: "statusLostAfterResend", target: "finalizing", actions: lostSession() },
                {
                  guard: { type: "isReply", params: { kind: "status" } },
                  actions: [lostSession(), "markSessionLost"],
                },
                {
                  guard: { type: "hostSays", params: { state: "stopped" } },
                  target: "finalizing",
                  actions: "noteHostCode",
                },
              ],
            },
          },
          stopping: {
            entry: [
              { type: "setDeadline", params: { ms: STOP_DEADLINE_MS } },
              { type: "nextRequestId", params: { kind: "stop" } },
              { type: "send", params: { kind: "stop" } },
            ],
            invoke: { src: "watchdog", input: ({ context }) => ({ deadline: context.deadline }) },
            exit: "clearDeadline",
            on: {
              "host.ready": { actions: ["rememberHello", ...statusCheck()] },
              "host.message": [
                { guard: { type: "isReply", params: { kind: "stop" } }, target: "finalizing" },
                {
                  guard: { type: "hostSays", params: { state: "stopped" } },
                  target: "finalizing",
                  actions: "noteHostCode",
                },
                {
                  guard: { type: "isErrorReply", params: { kind: "stop" } },
                  target: "finalizing",
                  actions: "noteError",
                },
                // Reattached while stopping: resend stop if the host still has it, else finalize.
                {
                  guard: "hostHasSession",
                  actions: [
                    { type: "nextRequestId", params: { kind: "stop" } },
                    { type: "send", params: { kind: "stop" } },
                  ],
                },
                { guard: "statusLostAfterResend", target: "finalizing" },
                { guard: { type: "isReply", params: { kind: "status" } }, actions: "markSessionLost" },
              ],
              "watchdog.timeout": {
                target: "#session.failed",
                actions: {
                  type: "failWith",
                  params: { code: "TIMEOUT", message: `recording did not stop within ${STOP_DEADLINE_MS} ms` },
                },
              },
            },
          },
          finalizing: {
            invoke: {
              src: "finalize",
              input: ({ context }) => ({ sessionId: context.sessionId ?? "", error: context.error }),
              onDone: { target: "#session.completed", actions: "finish" },
              onError: {
                target: "#session.failed",
                actions: { type: "failWith", params: { code: "INTERNAL", message: "finalizing the session failed" } },
              },
            },
          },
        },
      },
      completed: { on: { "ui.start": { target: "active", actions: "begin" }, "ui.dismiss": "idle" } },
      failed: { on: { "ui.start": { target: "active", actions: "begin" }, "ui.dismiss": "idle" } },
    },
  });
}

/** After a reconnect: ask whether the host still has our session, and for what it has not had acked. */
function statusCheck() {
  return [
    { type: "nextRequestId" as const, params: { kind: "status" as const } },
    { type: "send" as const, params: { kind: "status" as const } },
    { type: "nextRequestId" as const, params: { kind: "resend" as const } },
    { type: "send" as const, params: { kind: "resend" as const } },
  ];
}

const EMPTY_METRICS: LiveMetrics = {
  fps: null,
  droppedPct: null,
  bufferFill: null,
  diskFreeBytes: null,
  offsetUs: null,
  driftUs: null,
};

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Adding or removing a window while recording or paused; only a recording with video has sources. */
function sourceChanges() {
  const change = (kind: "addSource" | "removeSource") => ({
    guard: "hasVideo" as const,
    actions: [
      "noteSourceChange" as const,
      { type: "nextRequestId" as const, params: { kind } },
      { type: "send" as const, params: { kind } },
    ],
  });
  return { "ui.addSource": change("addSource"), "ui.removeSource": change("removeSource") };
}

function lostSession() {
  return {
    type: "noteErrorWith" as const,
    params: {
      code: "HOST_DISCONNECTED" as const,
      message: "the host no longer has this session; kept what was committed",
    },
  };
}

function buildRequest(kind: RequestKind, ctx: SessionContext): HostRequest {
  const id = ctx.pending[kind];
  const sessionId = ctx.sessionId;
  if (!id || !sessionId) throw new Error(`no request id or session for ${kind}`);
  switch (kind) {
    case "sources":
      return HostRequest.parse({ type: "sources.list", id });
    case "status":
      return HostRequest.parse({ type: "session.status", id });
    case "resend":
      return HostRequest.parse({ type: "segments.resend", id });
    case "start": {
      if (!ctx.plan) throw new Error("start without a plan");
      return HostRequest.parse({ type: "session.start", id, sessionId, ...ctx.plan });
    }
    case "pause":
      return HostRequest.parse({ type: "session.pause", id, sessionId });
    case "addSource":
    case "removeSource": {
      const change = ctx.sourceChange;
      if (!change) throw new Error(`${kind} without a source`);
      return change.op === "add"
        ? HostRequest.parse({ type: "session.addSource", id, sessionId, source: change.source })
        : HostRequest.parse({ type: "session.removeSource", id, sessionId, sourceId: change.sourceId });
    }
    case "resume":
      return HostRequest.parse({ type: "session.resume", id, sessionId });
    case "stop":
      return HostRequest.parse({ type: "session.stop", id, sessionId });
  }
}

export type SessionMachine = ReturnType<typeof createSessionMachine>;
export type { HostMsgEvent };
