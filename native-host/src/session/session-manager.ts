/**
 * Runs recording sessions: one at a time, two children (capture, audio) on one session clock.
 * Guarantees: a start answers only when every child it needs is recording (each within
 * CHILD_READY_TIMEOUT_MS, else TIMEOUT and nothing left running); a child that dies mid-session
 * is restarted with backoff (at most MAX_RESTARTS), the gap recorded as a timeline event, and
 * the session goes on; a stop answers once every child has delivered its last segment (within
 * CHILD_STOP_TIMEOUT_MS, else it is killed); health goes out at most once a second.
 */
import {
  CHILD_READY_TIMEOUT_MS,
  CHILD_STOP_TIMEOUT_MS,
  child,
  HEALTH_INTERVAL_MS,
  type HostMessage,
  SCREENSHOT_INTERVAL_SECONDS,
  type SessionStatusResult,
  type SourcesListResult,
} from "@sessions/shared";
import type { z } from "zod";
import { ChildProcess, type ChildSpec } from "../children/child-process";
import { HostError } from "../host-error";
import type { Logger } from "../log/logger";
import type { RequestOf } from "../router/router";
import { mergeHealth } from "./health-merger";
import type { MediaOutbox } from "./media-outbox";
import type { Spool } from "./spool";
import { SyncTracker } from "./sync-tracker";

type AudioOut = z.infer<typeof child.AudioOutput>;
type CaptureOut = z.infer<typeof child.CaptureOutput>;
type AnyChild = ChildProcess<AudioOut> | ChildProcess<CaptureOut>;
type State = "starting" | "recording" | "paused" | "stopping";

const MAX_RESTARTS = 3;
const BACKOFF_MS = [250, 1000, 4000];

interface Running {
  sessionId: string;
  state: State;
  originNs: bigint;
  /** Time spent paused before the current pause (ns), and when the current pause began. */
  pausedNs: bigint;
  pausedSince: bigint | null;
  startCommand: { capture: Record<string, unknown> | null; audio: Record<string, unknown> | null };
  children: Partial<Record<ChildSpec["name"], AnyChild>>;
  restarts: number;
  seq: { video: number; audio: number; screenshot: number };
  sync: SyncTracker;
  lastVideo: z.infer<typeof child.CaptureHealth> | null;
  lastAudio: z.infer<typeof child.AudioHealth> | null;
  healthTimer: NodeJS.Timeout | null;
}

export interface SessionDeps {
  send(m: HostMessage): void;
  logger: Logger;
  spool: Spool;
  outbox: MediaOutbox;
  queueDepth(): number;
  spec(name: ChildSpec["name"]): ChildSpec | null;
}

export class SessionManager {
  private session: Running | null = null;

  constructor(private readonly deps: SessionDeps) {}

  status(): SessionStatusResult {
    return {
      session: this.session ? { sessionId: this.session.sessionId, state: this.session.state } : null,
      unacknowledged: this.deps.outbox.size,
    };
  }

  /** Asks each child for its sources: the running one if a session records, else a short-lived one. */
  async listSources(): Promise<SourcesListResult> {
    const result: SourcesListResult = {
      displays: [],
      windows: [],
      webcams: [],
      audioInputs: [],
      systemAudio: { available: false },
    };
    const ask = async (name: ChildSpec["name"]) => {
      const running = this.session?.children[name];
      const spec = this.deps.spec(name);
      if (!running && !spec) return;
      const proc =
        running ??
        (name === "capture"
          ? new ChildProcess<CaptureOut>(spec as ChildSpec, child.CaptureOutput, this.deps.logger)
          : new ChildProcess<AudioOut>(spec as ChildSpec, child.AudioOutput, this.deps.logger));
      if (!running) proc.start();
      try {
        const reply = (await proc.request({ type: "list-sources" }, CHILD_READY_TIMEOUT_MS)) as CaptureOut | AudioOut;
        if (reply.type !== "sources") return;
        if ("displays" in reply)
          Object.assign(result, { displays: reply.displays, windows: reply.windows, webcams: reply.webcams });
        else Object.assign(result, { audioInputs: reply.inputs, systemAudio: reply.system });
      } finally {
        if (!running) await proc.stop(Date.now() + 2000, false);
      }
    };
    await Promise.all([ask("capture"), ask("audio")]);
    return result;
  }

  /** Microseconds on the running session's clock. */
  private now(s: Running): number {
    return Math.max(0, Number((process.hrtime.bigint() - s.originNs) / 1000n));
  }

  async start(req: RequestOf<"session.start">): Promise<{ sessionId: string; startedAt: number }> {
    if (this.session) throw new HostError("BUSY", `session ${this.session.sessionId} is ${this.session.state}`);
    if (!req.video && !req.audio.mic && !req.audio.system)
      throw new HostError("BAD_REQUEST", "nothing to record: no video sources and no audio");
    const needs: ChildSpec["name"][] = [
      ...(req.video ? ["capture" as const] : []),
      ...(req.audio.mic || req.audio.system ? ["audio" as const] : []),
    ];
    const specs = new Map(needs.map((n) => [n, this.deps.spec(n)] as const));
    for (const [n, spec] of specs)
      if (!spec)
        throw new HostError(
          "SOURCE_UNAVAILABLE",
          `the ${n === "capture" ? "swift-capture" : "sessions-audio"} binary is not installed or built`,
        );

    const spoolDir = this.deps.spool.sessionDir(req.sessionId);
    const originNs = process.hrtime.bigint();
    const common = {
      sessionId: req.sessionId,
      clock: { originNs: originNs.toString() },
      spoolDir,
      segmentSeconds: req.segmentSeconds,
    };
    const s: Running = {
      sessionId: req.sessionId,
      state: "starting",
      originNs,
      pausedNs: 0n,
      pausedSince: null,
      startCommand: {
        capture: req.video
          ? { type: "start", ...common, video: req.video, screenshotSeconds: SCREENSHOT_INTERVAL_SECONDS }
          : null,
        audio:
          req.audio.mic || req.audio.system
            ? { type: "start", ...common, mic: req.audio.mic, system: req.audio.system }
            : null,
      },
      children: {},
      restarts: 0,
      seq: { video: 0, audio: 0, screenshot: 0 },
      sync: new SyncTracker(req.sessionId, req.segmentSeconds * 1_000_000),
      lastVideo: null,
      lastAudio: null,
      healthTimer: null,
    };
    this.session = s;
    this.stateEvent(s, "starting");
    try {
      await Promise.all(needs.map((n) => this.launch(s, n, specs.get(n) as ChildSpec)));
    } catch (e) {
      await Promise.allSettled(Object.values(s.children).map((c) => c?.stop(Date.now() + 2000, false)));
      this.session = null;
      const err = e instanceof HostError ? e : new HostError("INTERNAL", String(e));
      this.stateEvent(s, "failed", err.code, err.message);
      throw err;
    }
    s.state = "recording";
    this.stateEvent(s, "recording");
    s.healthTimer = setInterval(() => this.emitHealth(s), HEALTH_INTERVAL_MS);
    return { sessionId: s.sessionId, startedAt: Date.now() };
  }

  async command(
    req: RequestOf<
      "session.pause" | "session.resume" | "session.addSource" | "session.removeSource" | "session.setLayout"
    >,
  ): Promise<void> {
    const s = this.active(req.sessionId);
    const capture = s.children.capture;
    switch (req.type) {
      case "session.pause":
      case "session.resume": {
        const pause = req.type === "session.pause";
        if (pause !== (s.state === "recording")) throw new HostError("INVALID_STATE", `session is ${s.state}`);
        await Promise.all(
          Object.values(s.children).map((c) =>
            c?.request({ type: pause ? "pause" : "resume" }, CHILD_READY_TIMEOUT_MS),
          ),
        );
        s.state = pause ? "paused" : "recording";
        const t = process.hrtime.bigint();
        if (pause) s.pausedSince = t;
        else if (s.pausedSince !== null) {
          s.pausedNs += t - s.pausedSince;
          s.pausedSince = null;
        }
        this.deps.send({
          type: "timeline",
          sessionId: s.sessionId,
          ts: this.now(s),
          kind: pause ? "pause" : "resume",
          detail: pause ? "paused" : "resumed",
        });
        this.stateEvent(s, s.state);
        return;
      }
      case "session.addSource":
      case "session.removeSource":
      case "session.setLayout": {
        if (!capture) throw new HostError("INVALID_STATE", "this session records no video");
        const cmd =
          req.type === "session.addSource"
            ? { type: "add-source", source: req.source }
            : req.type === "session.removeSource"
              ? { type: "remove-source", sourceId: req.sourceId }
              : { type: "set-layout", layout: req.layout };
        await capture.request(cmd, CHILD_READY_TIMEOUT_MS);
        if (req.type !== "session.setLayout") {
          const added = req.type === "session.addSource";
          const detail = added
            ? `added ${req.source.id}`
            : `removed ${(req as RequestOf<"session.removeSource">).sourceId}`;
          this.deps.send({
            type: "timeline",
            sessionId: s.sessionId,
            ts: this.now(s),
            kind: added ? "source-added" : "source-removed",
            detail,
          });
        }
        return;
      }
    }
  }

  async stop(sessionId: string): Promise<void> {
    const s = this.active(sessionId);
    s.state = "stopping";
    this.stateEvent(s, "stopping");
    const deadline = Date.now() + CHILD_STOP_TIMEOUT_MS;
    const results = await Promise.all(Object.values(s.children).map((c) => c?.stop(deadline) ?? true));
    this.finish(s);
    if (results.includes(false)) {
      this.stateEvent(
        s,
        "stopped",
        "TIMEOUT",
        "a child did not finish within 10 s and was killed; its last segment may be missing",
      );
      return;
    }
    this.stateEvent(s, "stopped");
  }

  /** Host shutdown: stop whatever runs by the deadline. */
  async shutdown(deadlineMs: number): Promise<void> {
    const s = this.session;
    if (!s) return;
    s.state = "stopping";
    await Promise.all(Object.values(s.children).map((c) => c?.stop(deadlineMs)));
    this.finish(s);
  }

  private finish(s: Running): void {
    if (s.healthTimer) clearInterval(s.healthTimer);
    s.healthTimer = null;
    if (this.session === s) this.session = null;
  }

  private active(sessionId: string): Running {
    const s = this.session;
    if (!s || s.sessionId !== sessionId) throw new HostError("NOT_FOUND", `no running session ${sessionId}`);
    if (s.state === "stopping" || s.state === "starting") throw new HostError("INVALID_STATE", `session is ${s.state}`);
    return s;
  }

  private async launch(s: Running, name: ChildSpec["name"], spec: ChildSpec): Promise<void> {
    const proc =
      name === "capture"
        ? new ChildProcess<CaptureOut>(spec, child.CaptureOutput, this.deps.logger)
        : new ChildProcess<AudioOut>(spec, child.AudioOutput, this.deps.logger);
    s.children[name] = proc;
    (proc as ChildProcess<CaptureOut | AudioOut>).on("event", (e) => this.onChildEvent(s, name, e));
    proc.on("exit", (info) => {
      if (!info.expected && this.session === s && s.children[name] === proc) void this.onCrash(s, name, spec, info);
    });
    proc.start();
    const command = s.startCommand[name];
    if (!command) throw new HostError("INTERNAL", `no start command for ${name}`);
    await proc.request(relaunchClock(s, command), CHILD_READY_TIMEOUT_MS);
  }

  private async onCrash(
    s: Running,
    name: ChildSpec["name"],
    spec: ChildSpec,
    info: { code: number | null; signal: string | null },
  ): Promise<void> {
    const lostAt = this.now(s);
    const label = name === "capture" ? "swift-capture" : "sessions-audio";
    this.deps.logger.warn(`${label} crashed mid-session`, { ...info, restarts: s.restarts });
    if (s.restarts >= MAX_RESTARTS) {
      this.deps.send({
        type: "error",
        id: null,
        sessionId: s.sessionId,
        code: "CHILD_CRASHED",
        message: `${label} crashed ${s.restarts + 1} times; stopping the session`,
        retryable: true,
      });
      s.state = "stopping";
      await Promise.allSettled(Object.values(s.children).map((c) => c?.stop(Date.now() + CHILD_STOP_TIMEOUT_MS)));
      this.finish(s);
      this.stateEvent(s, "failed", "CHILD_CRASHED", `${label} kept crashing`);
      return;
    }
    await new Promise((r) => setTimeout(r, BACKOFF_MS[s.restarts] ?? 4000));
    s.restarts++;
    if (this.session !== s || s.state === "stopping") return;
    try {
      await this.launch(s, name, spec);
      if (s.state === "paused") await s.children[name]?.request({ type: "pause" }, CHILD_READY_TIMEOUT_MS);
      const backAt = this.now(s);
      this.deps.send({
        type: "timeline",
        sessionId: s.sessionId,
        ts: lostAt,
        kind: "child-restarted",
        detail: `${label} exited (${info.signal ?? info.code}) and was restarted; no ${name === "capture" ? "video" : "audio"} from ${lostAt} to ${backAt} µs`,
      });
      this.deps.send({
        type: "timeline",
        sessionId: s.sessionId,
        ts: lostAt,
        kind: "gap",
        detail: JSON.stringify({ track: name === "capture" ? "video" : "audio", fromUs: lostAt, toUs: backAt }),
      });
    } catch (e) {
      this.deps.logger.error(`restarting ${label} failed`, { error: String(e) });
      if (this.session === s && s.children[name]?.running !== true)
        await this.onCrash(s, name, spec, { code: null, signal: "restart-failed" });
    }
  }

  private onChildEvent(s: Running, name: ChildSpec["name"], e: CaptureOut | AudioOut): void {
    switch (e.type) {
      case "segment": {
        const kind = e.track;
        const seq = s.seq[kind]++;
        this.deps.outbox.offer({
          sessionId: s.sessionId,
          kind,
          seq,
          path: e.path,
          mime: e.mime,
          bytes: e.bytes,
          startUs: e.startUs,
          endUs: e.endUs,
          units: e.units,
        });
        const sync = s.sync.add(kind, { startUs: e.startUs, endUs: e.endUs });
        if (sync) this.deps.send(sync);
        return;
      }
      case "screenshot": {
        const seq = s.seq.screenshot++;
        this.deps.outbox.offer({
          sessionId: s.sessionId,
          kind: "screenshot",
          seq,
          path: e.path,
          mime: e.mime,
          bytes: 0,
          startUs: e.ts,
          endUs: e.ts,
          units: 1,
          width: e.width,
          height: e.height,
          phash: e.phash,
        });
        return;
      }
      case "health":
        if (name === "capture") s.lastVideo = e as z.infer<typeof child.CaptureHealth>;
        else s.lastAudio = e as z.infer<typeof child.AudioHealth>;
        return;
      case "timeline":
        if (e.kind === "pause" || e.kind === "resume") return; // the host reports these itself
        this.deps.send({ type: "timeline", sessionId: s.sessionId, ts: e.ts, kind: e.kind, detail: e.detail });
        return;
      case "error":
        this.deps.send({
          type: "error",
          id: null,
          sessionId: s.sessionId,
          code: e.code,
          message: `${name}: ${e.message}`,
          retryable: false,
        });
        if (e.code === "DISK_FULL" && this.session === s && s.state !== "stopping")
          void this.stop(s.sessionId).catch(() => {});
        return;
      default:
        return;
    }
  }

  private emitHealth(s: Running): void {
    const host = {
      queueDepth: this.deps.queueDepth(),
      unacknowledged: this.deps.outbox.size,
      diskFreeBytes: this.deps.spool.freeBytes(),
      rssBytes: process.memoryUsage.rss(),
    };
    this.deps.send(mergeHealth(s.sessionId, this.now(s), s.lastVideo, s.lastAudio, host));
  }

  private stateEvent(
    s: Running,
    state: "starting" | "recording" | "paused" | "stopping" | "stopped" | "failed",
    code?: HostError["code"],
    message?: string,
  ): void {
    this.deps.send({
      type: "session.state",
      sessionId: s.sessionId,
      state,
      ts: this.now(s),
      ...(code ? { code } : {}),
      ...(message ? { message } : {}),
    });
  }
}

/**
 * A child keeps its media timeline by subtracting the pauses it saw. One started again after a
 * crash saw none of the earlier ones, so its origin moves later by all the time paused so far
 * (the current pause included: it is paused right after starting), which puts its first sample
 * where the crashed child's timeline would have continued, in step with the other child.
 */
function relaunchClock(
  s: Pick<Running, "originNs" | "pausedNs" | "pausedSince">,
  command: Record<string, unknown>,
  now = process.hrtime.bigint(),
): { type: string } & Record<string, unknown> {
  const paused = s.pausedNs + (s.pausedSince !== null ? now - s.pausedSince : 0n);
  if (paused === 0n) return command as { type: string };
  return { ...command, type: String(command.type), clock: { originNs: (s.originNs + paused).toString() } };
}
