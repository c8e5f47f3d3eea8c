import { START_TIMEOUT_MS, STOP_TIMEOUT_MS } from "@sessions/shared";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createActor, fromPromise } from "xstate";
import { DEFAULT_SETTINGS } from "../../settings/settings";
import { FakeHost } from "../../test-support/fake-host";
import { ctx, type Rig, recordingRig, rig, state, tick } from "../../test-support/machine-rig";
import { HOST_REPORT_GRACE_MS, START_DEADLINE_MS, STOP_DEADLINE_MS } from "../session-machine";
import { stateName } from "../status";

describe("session machine", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-01-01T00:00:00Z"));
  });
  afterEach(() => vi.useRealTimers());

  it("walks idle → preparing → starting → recording ⇄ paused → stopping → finalizing → completed", async () => {
    const r = await recordingRig();
    expect(r.host.received.map((q) => q.type)).toEqual(["hello", "sources.list", "session.start"]);
    expect(r.host.requests("session.start")[0]).toMatchObject({
      sessionId: "sess-1",
      video: { sources: [{ id: "display:0", kind: "display" }], layout: "passthrough", fps: 30 },
      audio: { mic: { device: "default" }, system: { gain: 1 } },
      segmentSeconds: 10,
    });
    expect(ctx(r)).toMatchObject({ hostVersion: "0.0.0-fake", connection: "connected" });
    expect(ctx(r).startedAt).toBe(new Date("2026-01-01T00:00:00Z").getTime() + 1);
    await tick(60_000);
    r.actor.send({ type: "ui.pause" });
    await tick(5);
    expect(state(r)).toBe("paused");
    await tick(30_000); // paused time does not count
    r.actor.send({ type: "ui.resume" });
    await tick(5);
    expect(state(r)).toBe("recording");
    r.actor.send({ type: "ui.stop" });
    await tick(5);
    expect(r.states).toEqual([
      "idle",
      "preparing",
      "starting",
      "recording",
      "paused",
      "recording",
      "stopping",
      "finalizing",
      "completed",
    ]);
    expect(r.finalized).toEqual([{ sessionId: "sess-1", error: null }]);
    expect(ctx(r).recordedMs).toBeGreaterThanOrEqual(60_000);
    expect(ctx(r).recordedMs).toBeLessThan(61_000);
    expect(r.host.port?.disconnectedByExtension).toBe(true);
  });

  it("deadlines are the shared timeouts plus a grace for the host's own TIMEOUT report", () => {
    expect(START_DEADLINE_MS).toBe(START_TIMEOUT_MS + HOST_REPORT_GRACE_MS);
    expect(STOP_DEADLINE_MS).toBe(STOP_TIMEOUT_MS + HOST_REPORT_GRACE_MS);
  });

  it("fails with TIMEOUT when the host does not start within the start deadline", async () => {
    const host = new FakeHost();
    host.handlers["session.start"] = () => null;
    const r = rig(host);
    r.actor.send({ type: "ui.start", sessionId: "s", settings: DEFAULT_SETTINGS });
    await tick(START_DEADLINE_MS - 10);
    expect(state(r)).toBe("starting");
    await tick(20);
    expect(state(r)).toBe("failed");
    expect(ctx(r).error?.code).toBe("TIMEOUT");
  });

  it("fails with TIMEOUT when the host does not stop within the stop deadline", async () => {
    const host = new FakeHost();
    host.handlers["session.stop"] = () => null;
    const r = await recordingRig(DEFAULT_SETTINGS, host);
    r.actor.send({ type: "ui.stop" });
    await tick(STOP_DEADLINE_MS - 10);
    expect(state(r)).toBe("stopping");
    await tick(20);
    expect(state(r)).toBe("failed");
    expect(ctx(r).error).toMatchObject({ code: "TIMEOUT" });
  });

  it("fails with TIMEOUT when the host never lists sources", async () => {
    const host = new FakeHost();
    host.handlers["sources.list"] = () => null;
    const r = rig(host);
    r.actor.send({ type: "ui.start", sessionId: "s", settings: DEFAULT_SETTINGS });
    await tick(START_TIMEOUT_MS + 10);
    expect(ctx(r).error?.code).toBe("TIMEOUT");
  });

  it.each([
    ["Specified native messaging host not found.", "HOST_NOT_FOUND"],
    ["Access to the specified native messaging host is forbidden.", "HOST_FORBIDDEN"],
  ])("fails at once with a coded reason when Chrome says %s", async (message, code) => {
    const host = new FakeHost();
    host.connectError = message;
    const r = rig(host);
    r.actor.send({ type: "ui.start", sessionId: "s", settings: DEFAULT_SETTINGS });
    await tick(5);
    expect(state(r)).toBe("failed");
    expect(ctx(r).error).toEqual({ code, message });
  });

  it("fails with the host's code when session.start is refused", async () => {
    const host = new FakeHost();
    host.handlers["session.start"] = (req) => ({
      type: "error",
      id: req.id,
      code: "BUSY",
      message: "another session",
      retryable: true,
    });
    const r = rig(host);
    r.actor.send({ type: "ui.start", sessionId: "s", settings: DEFAULT_SETTINGS });
    await tick(5);
    expect(ctx(r).error).toEqual({ code: "BUSY", message: "another session" });
  });

  it("fails with the host's code when sources.list is refused", async () => {
    const host = new FakeHost();
    host.handlers["sources.list"] = (req) => ({
      type: "error",
      id: req.id,
      code: "UNKNOWN_TYPE",
      message: "no sources yet",
      retryable: false,
    });
    const r = rig(host);
    r.actor.send({ type: "ui.start", sessionId: "s", settings: DEFAULT_SETTINGS });
    await tick(5);
    expect(r.states).toEqual(["idle", "preparing", "failed"]);
    expect(ctx(r).error?.code).toBe("UNKNOWN_TYPE");
  });

  it("fails with SOURCE_UNAVAILABLE when nothing can be recorded", async () => {
    const host = new FakeHost();
    host.handlers["sources.list"] = (req) => ({
      type: "result",
      id: req.id,
      displays: [],
      windows: [],
      webcams: [],
      audioInputs: [],
      systemAudio: { available: false },
    });
    const r = rig(host);
    r.actor.send({ type: "ui.start", sessionId: "s", settings: { ...DEFAULT_SETTINGS, mic: null } });
    await tick(5);
    expect(ctx(r).error?.code).toBe("SOURCE_UNAVAILABLE");
    expect(r.host.requests("session.start")).toHaveLength(0);
  });

  it("fails when the host reports the session failed mid-recording", async () => {
    const r = await recordingRig();
    r.host.emit({
      type: "session.state",
      sessionId: "sess-1",
      state: "failed",
      ts: 5,
      code: "CHILD_CRASHED",
      message: "audio exited",
    });
    await tick(1);
    expect(state(r)).toBe("failed");
    expect(ctx(r).error).toEqual({ code: "CHILD_CRASHED", message: "audio exited" });
  });

  it("notes an error event about its session without leaving recording", async () => {
    const r = await recordingRig();
    r.host.emit({
      type: "error",
      id: null,
      sessionId: "other",
      code: "DISK_FULL",
      message: "not ours",
      retryable: false,
    });
    r.host.emit({
      type: "error",
      id: null,
      sessionId: "sess-1",
      code: "SOURCE_UNAVAILABLE",
      message: "window closed",
      retryable: true,
    });
    await tick(1);
    expect(state(r)).toBe("recording");
    expect(ctx(r).error).toEqual({ code: "SOURCE_UNAVAILABLE", message: "window closed" });
  });

  it("keeps the latest health of its own session only", async () => {
    const r = await recordingRig();
    const health = (sessionId: string, level: string) => ({
      type: "health",
      sessionId,
      ts: 1,
      level,
      warnings: level === "ok" ? [] : ["frames dropping"],
      video: null,
      audio: null,
      host: { queueDepth: 0, unacknowledged: 0, diskFreeBytes: 1, rssBytes: 1 },
    });
    r.host.emit(health("sess-1", "warning"));
    r.host.emit(health("other", "critical"));
    await tick(1);
    expect(ctx(r).health).toEqual({ level: "warning", warnings: ["frames dropping"] });
  });

  it("adds and removes a window while recording; the plan follows what the host accepted", async () => {
    const r = await recordingRig();
    r.actor.send({ type: "ui.addSource", source: { id: "window:1", kind: "window" } });
    await tick(2);
    expect(r.host.requests("session.addSource")[0]).toMatchObject({
      sessionId: "sess-1",
      source: { id: "window:1", kind: "window" },
    });
    expect(ctx(r).plan?.video?.sources.map((s) => s.id)).toEqual(["display:0", "window:1"]);
    r.actor.send({ type: "ui.pause" });
    await tick(2);
    r.actor.send({ type: "ui.removeSource", sourceId: "display:0" });
    await tick(2);
    expect(r.host.requests("session.removeSource")[0]).toMatchObject({ sessionId: "sess-1", sourceId: "display:0" });
    expect(ctx(r).plan?.video?.sources.map((s) => s.id)).toEqual(["window:1"]);
    expect(ctx(r).sourceChange).toBeNull();
  });

  it("keeps a refused source change out of the plan and notes the host's error", async () => {
    const host = new FakeHost();
    host.handlers["session.addSource"] = (req) => ({
      type: "error",
      id: req.id,
      code: "SOURCE_UNAVAILABLE",
      message: "window gone",
      retryable: false,
    });
    const r = await recordingRig(DEFAULT_SETTINGS, host);
    r.actor.send({ type: "ui.addSource", source: { id: "window:9", kind: "window" } });
    await tick(2);
    expect(state(r)).toBe("recording");
    expect(ctx(r).plan?.video?.sources.map((s) => s.id)).toEqual(["display:0"]);
    expect(ctx(r).error?.code).toBe("SOURCE_UNAVAILABLE");
  });

  it("keeps the numbers behind health and the last sync report", async () => {
    const r = await recordingRig();
    r.host.emit({
      type: "health",
      sessionId: "sess-1",
      ts: 1,
      level: "warning",
      warnings: ["frames dropping: 2.0 %"],
      video: { fps: 29.46, framesOut: 98, dropped: 2, duplicated: 0, encodeLagMs: 1, sources: [] },
      audio: null,
      host: { queueDepth: 0, unacknowledged: 0, diskFreeBytes: 5e9, rssBytes: 1 },
    });
    r.host.emit({
      type: "sync",
      sessionId: "sess-1",
      seq: 0,
      videoStartUs: 0,
      videoEndUs: 2_000_000,
      audioStartUs: 1_000,
      audioEndUs: 2_001_000,
      offsetUs: 1_000,
      driftUs: -20,
    });
    await tick(1);
    expect(ctx(r).metrics).toEqual({
      fps: 29.5,
      droppedPct: 2,
      bufferFill: null,
      diskFreeBytes: 5e9,
      offsetUs: 1_000,
      driftUs: -20,
    });
  });

  it("forwards media of its own session and acknowledges what storage committed", async () => {
    const r = await recordingRig();
    const timeline = { type: "timeline", sessionId: "sess-1", ts: 3, kind: "gap", detail: "x" };
    r.host.emit(timeline);
    r.host.emit({ ...timeline, sessionId: "other" });
    await tick(1);
    expect(r.media).toEqual([timeline]);
    r.actor.send({ type: "storage.committed", sessionId: "sess-1", track: "video", seq: 7 });
    await tick(1);
    expect(r.host.requests("segment.ack")).toEqual([
      { type: "segment.ack", id: "ack-video-7", sessionId: "sess-1", track: "video", seq: 7 },
    ]);
  });

  it("keeps the code of a host that stopped after killing a hung child", async () => {
    const host = new FakeHost();
    host.handlers["session.stop"] = (req, h) => {
      h.session = null;
      return [
        {
          type: "session.state",
          sessionId: "sess-1",
          state: "stopped",
          ts: 9,
          code: "TIMEOUT",
          message: "capture killed",
        },
        { type: "result", id: req.id },
      ];
    };
    const r = await recordingRig(DEFAULT_SETTINGS, host);
    r.actor.send({ type: "ui.stop" });
    await tick(5);
    expect(state(r)).toBe("completed");
    expect(r.finalized[0]?.error).toEqual({ code: "TIMEOUT", message: "capture killed" });
  });

  it("stops cleanly and keeps what was committed when storage runs out", async () => {
    const r = await recordingRig();
    r.actor.send({ type: "storage.quotaExceeded", message: "quota" });
    await tick(5);
    expect(r.states.slice(-3)).toEqual(["stopping", "finalizing", "completed"]);
    expect(r.host.requests("session.stop")).toHaveLength(1);
    expect(r.finalized[0]?.error?.code).toBe("QUOTA_EXCEEDED");
  });

  it("reattaches after a transient disconnect: status check and resend, still recording", async () => {
    const r = await recordingRig();
    r.host.drop("Native host has exited.");
    await tick(1);
    expect(ctx(r).connection).toBe("reconnecting");
    await tick(150);
    expect(state(r)).toBe("recording");
    expect(ctx(r).connection).toBe("connected");
    expect(r.host.requests("session.status")).toHaveLength(1);
    expect(r.host.requests("segments.resend")).toHaveLength(1);
  });

  it("finalizes with HOST_DISCONNECTED when the reconnected host no longer has the session", async () => {
    const r = await recordingRig();
    r.host.session = null;
    r.host.drop();
    await tick(150);
    expect(r.states.slice(-2)).toEqual(["finalizing", "completed"]);
    expect(ctx(r).error?.code).toBe("HOST_DISCONNECTED");
  });

  it("a host that lost the session finalizes only after resending what its predecessor spooled", async () => {
    const r = await recordingRig();
    r.host.session = null;
    r.host.handlers["segments.resend"] = () => null; // answered below, after the resent items
    r.host.drop();
    await tick(150);
    expect(state(r)).toBe("recording");
    const resend = r.host.requests("segments.resend").at(-1);
    const timeline = { type: "timeline", sessionId: "sess-1", ts: 9, kind: "gap", detail: "resent" };
    r.host.emit(timeline);
    r.host.emit({ type: "result", id: resend?.id, count: 1 });
    await tick(5);
    expect(r.media).toContainEqual(timeline);
    expect(r.states.slice(-2)).toEqual(["finalizing", "completed"]);
    expect(ctx(r).error?.code).toBe("HOST_DISCONNECTED");
  });

  it("fails with HOST_DISCONNECTED when reconnecting keeps failing", async () => {
    const r = await recordingRig();
    r.host.connectError = "Native host has exited.";
    r.host.drop();
    await tick(1_000);
    expect(state(r)).toBe("failed");
    expect(ctx(r).error?.code).toBe("HOST_DISCONNECTED");
  });

  it("a new session can start after completed or failed", async () => {
    const r = await recordingRig();
    r.actor.send({ type: "ui.stop" });
    await tick(5);
    r.actor.send({ type: "ui.start", sessionId: "sess-2", settings: DEFAULT_SETTINGS });
    await tick(5);
    expect(state(r)).toBe("recording");
    expect(ctx(r)).toMatchObject({ sessionId: "sess-2", error: null, recordedMs: 0 });
  });
});

describe("session machine across a worker restart", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-01-01T00:00:00Z"));
  });
  afterEach(() => vi.useRealTimers());

  /** Persist, stop the actor (the worker dies: its port closes), and restore from JSON. */
  function restart(r: Rig, host: FakeHost): Rig {
    const persisted = JSON.parse(JSON.stringify(r.actor.getPersistedSnapshot()));
    r.actor.stop();
    return rig(host, persisted);
  }

  it("mid-recording, reattaches to a host that still has the session", async () => {
    const r = await recordingRig();
    await tick(120_000);
    const r2 = restart(r, r.host);
    expect(r.host.connections[0]?.disconnectedByExtension).toBe(true);
    await tick(5);
    expect(state(r2)).toBe("recording");
    expect(r2.host.connections).toHaveLength(2);
    expect(r2.host.requests("session.status")).toHaveLength(1);
    expect(r2.host.requests("session.start")).toHaveLength(1); // not started twice
    await tick(60_000);
    r2.actor.send({ type: "ui.stop" });
    await tick(5);
    expect(state(r2)).toBe("completed");
    expect(ctx(r2).recordedMs).toBeGreaterThanOrEqual(180_000);
  });

  it("mid-recording, finalizes what was committed when the new host has no session", async () => {
    const r = await recordingRig();
    const fresh = new FakeHost();
    const r2 = restart(r, fresh);
    await tick(5);
    expect(r2.states).toEqual(["recording", "finalizing", "completed"]);
    expect(r2.finalized).toEqual([
      { sessionId: "sess-1", error: expect.objectContaining({ code: "HOST_DISCONNECTED" }) },
    ]);
  });

  it("mid-start, the start deadline still fires at its original time", async () => {
    const host = new FakeHost();
    host.handlers["session.start"] = () => null;
    host.handlers["session.status"] = () => null;
    const r = rig(host);
    r.actor.send({ type: "ui.start", sessionId: "s", settings: DEFAULT_SETTINGS });
    await tick(3_000);
    const r2 = restart(r, host);
    await tick(START_DEADLINE_MS - 3_000 - 50);
    expect(state(r2)).toBe("starting");
    await tick(100);
    expect(state(r2)).toBe("failed");
    expect(ctx(r2).error?.code).toBe("TIMEOUT");
  });

  it("mid-stop, resends stop to a host that still has the session", async () => {
    const host = new FakeHost();
    host.handlers["session.stop"] = () => null;
    const r = await recordingRig(DEFAULT_SETTINGS, host);
    r.actor.send({ type: "ui.stop" });
    await tick(5);
    delete host.handlers["session.stop"];
    const r2 = restart(r, host);
    await tick(5);
    expect(host.requests("session.stop")).toHaveLength(2);
    expect(state(r2)).toBe("completed");
  });

  it("mid-finalize, the finalize step runs again after the restart and completes", async () => {
    const r = await recordingRig();
    let release: () => void = () => undefined;
    const blocked = r.machine.provide({
      actors: { finalize: fromPromise(() => new Promise<void>((res) => (release = res))) },
    });
    const a = createActor(blocked, { snapshot: r.actor.getPersistedSnapshot() }).start();
    r.actor.stop();
    a.send({ type: "ui.stop" });
    await tick(5);
    expect(stateName(a.getSnapshot().value)).toBe("finalizing");
    const persisted = JSON.parse(JSON.stringify(a.getPersistedSnapshot()));
    a.stop();
    release();
    const r2 = rig(r.host, persisted);
    await tick(5);
    expect(state(r2)).toBe("completed");
    expect(r2.finalized).toEqual([{ sessionId: "sess-1", error: null }]);
  });

  it("a completed session restores as completed without reconnecting", async () => {
    const r = await recordingRig();
    r.actor.send({ type: "ui.stop" });
    await tick(5);
    const connections = r.host.connections.length;
    const r2 = restart(r, r.host);
    await tick(5);
    expect(state(r2)).toBe("completed");
    expect(r.host.connections).toHaveLength(connections);
  });
});
