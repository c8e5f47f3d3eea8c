import { type ErrorCode, HOST_REPORT_GRACE_MS, START_TIMEOUT_MS, STOP_TIMEOUT_MS } from "@sessions/shared";
import { assign, fromPromise, sendTo, setup } from "xstate";
import { createPortActor, type PortDeps } from "../host/port-actor";
import {
  beginSession,
  clearPending,
  ended,
  haltClock,
  helloPatch,
  hostCodePatch,
  nextRequestId,
  startedPatch,
} from "./context-updates";
import { errorOf, plannedFrom, replyTo, sessionGuards } from "./host-replies";
import { ackRequest, buildRequest } from "./host-requests";
import {
  applyLayoutChange,
  applySourceChange,
  layoutNeededAfterAdd,
  noteLayoutChange,
  noteSourceChange,
} from "./live-changes";
import { healthPatch, syncPatch } from "./live-metrics";
import { liveEvents, request, statusCheck, whenHostEnds } from "./machine-transitions";
import {
  initialContext,
  type MediaMessage,
  type RequestKind,
  type SessionContext,
  type SessionEvent,
} from "./session-events";
import type { RecordingPlan } from "./source-plan";
import { watchdogActor } from "./watchdog-actor";

/**
 * The session lifecycle: idle → preparing (hello, sources) → starting → recording ⇄ paused →
 * stopping → finalizing → completed, and failed (with a coded reason) from any active state.
 * Guarantees: the context is plain JSON (the persisted snapshot restores it after a worker
 * restart); every deadline lives in context and is enforced by the `watchdog` actor, so it
 * survives a restart; after a reconnect the machine asks the host for `session.status` and either
 * reattaches or finalizes what was committed. Every actor, guard and side effect is named so
 * tests swap them with `.provide()`. How replies are matched lives in host-replies, the requests
 * in host-requests, the shared transition pieces in machine-transitions.
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
  /**
   * Why the plan made from the host's sources may not be recorded (managed policy), checked on
   * the sources the host really reports, whatever the start path; null lets it start.
   */
  refusePlan?: (plan: RecordingPlan) => string | null;
}

type HostMsgEvent = Extract<SessionEvent, { type: "host.message" }>;
const PREPARE_TIMEOUT_MS = START_TIMEOUT_MS;

/** The host's own TIMEOUT report (which names the child that hung) gets HOST_REPORT_GRACE_MS to arrive first. */
export { HOST_REPORT_GRACE_MS };
export const START_DEADLINE_MS = START_TIMEOUT_MS + HOST_REPORT_GRACE_MS;
export const STOP_DEADLINE_MS = STOP_TIMEOUT_MS + HOST_REPORT_GRACE_MS;

export function createSessionMachine(deps: SessionMachineDeps) {
  const refusal = (context: SessionContext, event: SessionEvent) => {
    const plan = deps.refusePlan ? plannedFrom(context, event) : null;
    return plan ? (deps.refusePlan?.(plan) ?? null) : null;
  };
  return setup({
    types: { context: {} as SessionContext, events: {} as SessionEvent },
    actors: {
      port: createPortActor(deps.port),
      watchdog: watchdogActor,
      finalize: fromPromise<void, FinalizeInput>(({ input }) => deps.finalize(input)),
    },
    guards: {
      ...sessionGuards,
      planRefused: ({ context, event }) => refusal(context, event) !== null,
      addedNeedsLayout: ({ context, event }) =>
        replyTo(event, context, "addSource", "result") &&
        layoutNeededAfterAdd({ ...context, ...applySourceChange(context) }) !== null,
    },
    actions: {
      send: sendTo("port", ({ context }, p: { kind: RequestKind }) => ({
        type: "host.send" as const,
        request: buildRequest(p.kind, context),
      })),
      nextRequestId: assign(({ context }, p: { kind: RequestKind }) => nextRequestId(context, p.kind)),
      clearPending: assign(({ context }, p: { kind: RequestKind }) => clearPending(context, p.kind)),
      ack: sendTo("port", ({ context, event }) => {
        if (event.type !== "storage.committed") throw new Error("ack needs storage.committed");
        return {
          type: "host.send" as const,
          request: ackRequest(event.sessionId ?? context.sessionId, event.track, event.seq),
        };
      }),
      begin: assign(({ event }) => beginSession(event, Date.now(), PREPARE_TIMEOUT_MS)),
      setDeadline: assign((_, p: { ms: number }) => ({ deadline: Date.now() + p.ms })),
      clearDeadline: assign({ deadline: null }),
      rememberHello: assign(({ event }) => helloPatch(event)),
      markReconnecting: assign({ connection: "reconnecting" as const }),
      makePlan: assign(({ context, event }) => {
        const plan = plannedFrom(context, event);
        return plan ? { plan } : {};
      }),
      failRefusedPlan: assign(({ context, event }) =>
        ended({ code: "POLICY_FORBIDDEN", message: refusal(context, event) ?? "refused" }, Date.now()),
      ),
      markStarted: assign(({ event }) => startedPatch(event, Date.now())),
      runClock: assign({ runningSince: () => Date.now() }),
      haltClock: assign(({ context }) => haltClock(context, Date.now())),
      fail: assign(({ event }) => ended(errorOf(event), Date.now())),
      failWith: assign((_, p: { code: ErrorCode; message: string }) =>
        ended({ code: p.code, message: p.message }, Date.now()),
      ),
      noteError: assign(({ event }) => ({ error: errorOf(event) })),
      noteHostCode: assign(({ event, context }) => hostCodePatch(event, context)),
      noteErrorWith: assign((_, p: { code: ErrorCode; message: string }) => ({
        error: { code: p.code, message: p.message },
      })),
      finish: assign({ endedAt: () => Date.now(), connection: "closed" as const }),
      takeHealth: assign(({ event, context }) => healthPatch(context, event)),
      takeSync: assign(({ event, context }) => syncPatch(context, event)),
      noteSourceChange: assign(({ event }) => noteSourceChange(event)),
      applySourceChange: assign(({ context }) => applySourceChange(context)),
      dropSourceChange: assign({ sourceChange: null }),
      noteLayoutChange: assign(({ context, event }) => noteLayoutChange(context, event)),
      applyLayoutChange: assign(({ context }) => applyLayoutChange(context)),
      dropLayoutChange: assign({ layoutChange: null }),
      /** After applySourceChange: the layout the added source needs (one-source layout becomes a grid). */
      noteNeededLayout: assign(({ context }) => ({ layoutChange: layoutNeededAfterAdd(context) })),
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
            ...answersToChanges(),
          ],
          "storage.committed": { actions: "ack" },
          "storage.commitFailed": { actions: "noteError" },
        },
        initial: "preparing",
        states: {
          preparing: {
            invoke: { src: "watchdog", input: ({ context }) => ({ deadline: context.deadline }) },
            on: {
              "host.ready": { actions: ["rememberHello", ...request("sources")] },
              "host.message": [
                { guard: "planRefused", target: "#session.failed", actions: "failRefusedPlan" },
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
            entry: [{ type: "setDeadline", params: { ms: START_DEADLINE_MS } }, ...request("start")],
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
              "ui.pause": { actions: request("pause") },
              ...liveEvents(),
              "host.message": [
                { guard: { type: "isReply", params: { kind: "pause" } }, target: "paused" },
                { guard: { type: "hostSays", params: { state: "paused" } }, target: "paused" },
                { guard: { type: "isErrorReply", params: { kind: "pause" } }, actions: "noteError" },
                { guard: "hostHasSessionPaused", target: "paused" },
                { guard: "hostHasSession", actions: { type: "clearPending", params: { kind: "status" } } },
                ...whenHostEnds(),
              ],
            },
          },
          paused: {
            on: {
              "ui.resume": { actions: request("resume") },
              ...liveEvents(),
              "host.message": [
                { guard: { type: "isReply", params: { kind: "resume" } }, target: "recording" },
                { guard: { type: "hostSays", params: { state: "recording" } }, target: "recording" },
                { guard: { type: "isErrorReply", params: { kind: "resume" } }, actions: "noteError" },
                { guard: "hostHasSessionPaused", actions: { type: "clearPending", params: { kind: "status" } } },
                { guard: "hostHasSession", target: "recording" },
                ...whenHostEnds(),
              ],
            },
          },
          stopping: {
            entry: [{ type: "setDeadline", params: { ms: STOP_DEADLINE_MS } }, ...request("stop")],
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
                { guard: "hostHasSession", actions: request("stop") },
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

/** The host's answer to a live change, in any active state: applied when accepted, dropped (and noted) when refused. */
function answersToChanges() {
  const answers = (kind: "addSource" | "removeSource" | "setLayout") => {
    const [apply, drop] =
      kind === "setLayout"
        ? (["applyLayoutChange", "dropLayoutChange"] as const)
        : (["applySourceChange", "dropSourceChange"] as const);
    return [
      {
        guard: { type: "isReply" as const, params: { kind } },
        actions: [apply, { type: "clearPending" as const, params: { kind } }],
      },
      { guard: { type: "isErrorReply" as const, params: { kind } }, actions: [drop, "noteError" as const] },
    ];
  };
  // A second source added to a one-source layout would not be seen: the grid is asked for at once.
  const addedNeedsLayout = {
    guard: "addedNeedsLayout" as const,
    actions: [
      "applySourceChange" as const,
      { type: "clearPending" as const, params: { kind: "addSource" as const } },
      "noteNeededLayout" as const,
      ...request("setLayout"),
    ],
  };
  return [addedNeedsLayout, ...answers("addSource"), ...answers("removeSource"), ...answers("setLayout")];
}

export type SessionMachine = ReturnType<typeof createSessionMachine>;
export type { HostMsgEvent };
