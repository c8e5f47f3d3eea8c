import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_SETTINGS } from "../../settings/settings";
import { FakeHost } from "../../test-support/fake-host";
import { ctx, recordingRig, rig, state, tick } from "../../test-support/machine-rig";
import { statusOf } from "../status";

/** Switching the layout of a running recording: the machine asks the host and follows its answer. */

const TWO_WINDOWS = {
  ...DEFAULT_SETTINGS,
  layout: "grid" as const,
  chosenSources: [
    { id: "window:1", kind: "window" as const },
    { id: "display:0", kind: "display" as const },
  ],
};

/** The host answers session.setLayout only when the test calls the answer, in any order. */
function heldAnswers(host: FakeHost): (() => void)[] {
  const answers: (() => void)[] = [];
  host.handlers["session.setLayout"] = (req, h) => {
    answers.push(() => h.emit({ type: "result", id: req.id }));
    return null;
  };
  return answers;
}

describe("layout switch while recording", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-01-01T00:00:00Z"));
  });
  afterEach(() => vi.useRealTimers());

  it("sends session.setLayout and shows the new layout once the host accepted it", async () => {
    const host = new FakeHost();
    const answers = heldAnswers(host);
    const r = await recordingRig(TWO_WINDOWS, host);
    expect(statusOf(r.actor.getSnapshot()).layout).toBe("grid");
    r.actor.send({ type: "ui.setLayout", layout: "side-by-side" });
    await tick(2);
    expect(host.requests("session.setLayout")).toEqual([
      {
        type: "session.setLayout",
        id: expect.stringMatching(/^setLayout-/),
        sessionId: "sess-1",
        layout: "side-by-side",
      },
    ]);
    // not yet answered: the status still says what is recorded
    expect(statusOf(r.actor.getSnapshot()).layout).toBe("grid");
    answers[0]?.();
    await tick(2);
    expect(statusOf(r.actor.getSnapshot()).layout).toBe("side-by-side");
    expect(ctx(r).layoutChange).toBeNull();
    expect(ctx(r).pending.setLayout).toBeUndefined();
    expect(state(r)).toBe("recording");
  });

  it("turns one-source layout into a grid while several sources are recorded", async () => {
    const r = await recordingRig({ ...TWO_WINDOWS, layout: "side-by-side" });
    r.actor.send({ type: "ui.setLayout", layout: "passthrough" });
    await tick(2);
    expect(r.host.requests("session.setLayout")[0]).toMatchObject({ layout: "grid" });
    expect(ctx(r).plan?.video?.layout).toBe("grid");
  });

  it("switches while paused too, and a single source may go back to one-source layout", async () => {
    const r = await recordingRig({ ...DEFAULT_SETTINGS, layout: "grid" });
    r.actor.send({ type: "ui.pause" });
    await tick(2);
    r.actor.send({ type: "ui.setLayout", layout: "passthrough" });
    await tick(2);
    expect(state(r)).toBe("paused");
    expect(r.host.requests("session.setLayout")[0]).toMatchObject({ layout: "passthrough" });
    expect(ctx(r).plan?.video?.layout).toBe("passthrough");
  });

  it("keeps the layout the host refused and notes its error; the recording goes on", async () => {
    const host = new FakeHost();
    host.handlers["session.setLayout"] = (req) => ({
      type: "error",
      id: req.id,
      code: "INVALID_STATE",
      message: "not recording",
      retryable: false,
    });
    const r = await recordingRig(TWO_WINDOWS, host);
    r.actor.send({ type: "ui.setLayout", layout: "side-by-side" });
    await tick(2);
    expect(state(r)).toBe("recording");
    expect(ctx(r).plan?.video?.layout).toBe("grid");
    expect(ctx(r).layoutChange).toBeNull();
    expect(ctx(r).error).toEqual({ code: "INVALID_STATE", message: "not recording" });
  });

  it("asks nothing of a recording without video, nor before one runs", async () => {
    const audioOnly = await recordingRig({ ...DEFAULT_SETTINGS, video: "none" });
    audioOnly.actor.send({ type: "ui.setLayout", layout: "grid" });
    await tick(2);
    expect(audioOnly.host.requests("session.setLayout")).toHaveLength(0);
    expect(statusOf(audioOnly.actor.getSnapshot()).layout).toBeNull();

    const idle = rig();
    idle.actor.send({ type: "ui.setLayout", layout: "grid" });
    await tick(2);
    expect(state(idle)).toBe("idle");
    expect(idle.host.received).toHaveLength(0);
  });

  it("a window added to a one-source layout gets a grid, so it is seen; a grid stays as it is", async () => {
    const r = await recordingRig(); // the defaults: the primary display, one-source layout
    expect(ctx(r).plan?.video?.layout).toBe("passthrough");
    r.actor.send({ type: "ui.addSource", source: { id: "window:1", kind: "window" } });
    await tick(2);
    expect(r.host.received.map((q) => q.type).slice(-2)).toEqual(["session.addSource", "session.setLayout"]);
    expect(r.host.requests("session.setLayout")[0]).toMatchObject({ layout: "grid" });
    expect(statusOf(r.actor.getSnapshot())).toMatchObject({ layout: "grid", sources: ["display:0", "window:1"] });

    const grid = await recordingRig({ ...DEFAULT_SETTINGS, layout: "grid" });
    grid.actor.send({ type: "ui.addSource", source: { id: "window:1", kind: "window" } });
    await tick(2);
    expect(grid.host.requests("session.setLayout")).toHaveLength(0);
    expect(ctx(grid).plan?.video?.sources).toHaveLength(2);
  });

  it("a reply to an older switch does not apply a newer one", async () => {
    const host = new FakeHost();
    const answers = heldAnswers(host);
    const r = await recordingRig(TWO_WINDOWS, host);
    r.actor.send({ type: "ui.setLayout", layout: "side-by-side" });
    await tick(1);
    r.actor.send({ type: "ui.setLayout", layout: "grid" });
    await tick(1);
    answers[0]?.(); // the host answers the first switch: stale for the machine
    await tick(2);
    expect(ctx(r).layoutChange).toBe("grid");
    answers[1]?.();
    await tick(2);
    expect(ctx(r).plan?.video?.layout).toBe("grid");
    expect(ctx(r).layoutChange).toBeNull();
  });
});

describe("the plan is checked before the start (managed policy)", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("fails with POLICY_FORBIDDEN and sends no session.start when the plan is refused", async () => {
    const seen: string[] = [];
    const r = rig(new FakeHost(), undefined, (plan) => {
      seen.push(...(plan.video?.sources.map((s) => `${s.kind}:${s.id}`) ?? []));
      return plan.video?.sources.some((s) => s.kind === "window") ? "no windows here" : null;
    });
    // the page claimed the window was a display: the plan carries the kind the host reported
    r.actor.send({
      type: "ui.start",
      sessionId: "s",
      settings: { ...DEFAULT_SETTINGS, chosenSources: [{ id: "window:1", kind: "display" }] },
    });
    await tick(5);
    expect(new Set(seen)).toEqual(new Set(["window:window:1"]));
    expect(state(r)).toBe("failed");
    expect(ctx(r).error).toEqual({ code: "POLICY_FORBIDDEN", message: "no windows here" });
    expect(r.host.requests("session.start")).toHaveLength(0);
  });

  it("starts when the refusal has nothing against the plan", async () => {
    const r = rig(new FakeHost(), undefined, () => null);
    r.actor.send({ type: "ui.start", sessionId: "s", settings: DEFAULT_SETTINGS });
    await tick(5);
    expect(state(r)).toBe("recording");
  });
});
