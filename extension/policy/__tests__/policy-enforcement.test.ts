import { describe, expect, it } from "vitest";
import type { SessionController } from "../../session/session-controller";
import type { RecordingPlan } from "../../session/source-plan";
import type { SessionStatus } from "../../session/status";
import { emptySession, freshDb } from "../../test-support/db";
import type { ParsedPolicy } from "../parse-policy";
import { enforcePolicy } from "../policy-enforcement";
import type { PolicyRuntime } from "../policy-runtime";

const DAY = 86_400_000;

/** Just the surface enforcePolicy uses: status, the machine's plan, subscribe and commands. */
function fakeController(
  state: SessionStatus["state"],
  plan: RecordingPlan | null,
  video: Pick<SessionStatus, "sources" | "layout"> = { sources: [], layout: null },
) {
  const commands: string[] = [];
  const listeners = new Set<(s: SessionStatus) => void>();
  let current = { state, sessionId: "live", ...video } as SessionStatus;
  const c = {
    status: () => current,
    actor: { getSnapshot: () => ({ context: { plan } }) },
    subscribe: (l: (s: SessionStatus) => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    command: async (cmd: string) => {
      commands.push(cmd);
      return current;
    },
  };
  return {
    controller: c as unknown as SessionController,
    commands,
    emit(next: SessionStatus["state"], change: Partial<SessionStatus> = {}) {
      current = { ...current, ...change, state: next };
      for (const l of listeners) l(current);
    },
  };
}

function fakePolicy(initial: ParsedPolicy["policy"]) {
  let parsed: ParsedPolicy = { policy: initial, warnings: [] };
  const listeners = new Set<(p: ParsedPolicy) => void>();
  const runtime = {
    current: () => parsed,
    subscribe: (fn: (p: ParsedPolicy) => void) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  } as unknown as PolicyRuntime;
  return {
    runtime,
    set(policy: ParsedPolicy["policy"]) {
      parsed = { policy, warnings: [] };
      for (const l of listeners) l(parsed);
    },
  };
}

const displayPlan: RecordingPlan = {
  video: { sources: [{ id: "d1", kind: "display" }], layout: "passthrough", fps: 30, maxWidth: 1920, maxHeight: 1080 },
  audio: { mic: null, system: null },
  segmentSeconds: 10,
};

describe("enforcePolicy", () => {
  it("stops a running recording when a changed policy forbids its source, and not otherwise", async () => {
    const { db } = await freshDb();
    const fake = fakeController("recording", displayPlan);
    const admin = fakePolicy({});
    await enforcePolicy(db, admin.runtime, fake.controller)();
    admin.set({ allowedSources: ["display", "window"] });
    expect(fake.commands).toEqual([]);
    admin.set({ allowedSources: ["window"] });
    expect(fake.commands).toEqual(["stop"]);
  });

  it("a restored recording the current policy forbids is stopped at start", async () => {
    const { db } = await freshDb();
    const fake = fakeController("paused", displayPlan);
    await enforcePolicy(db, fakePolicy({ recordingAllowed: false }).runtime, fake.controller)();
    expect(fake.commands).toEqual(["stop"]);
  });

  it("runs retention at start, on a policy change, and when a session ends; never on the live session", async () => {
    const { db } = await freshDb();
    const old = Date.now() - 40 * DAY;
    const put = (id: string, state: "completed" | "recording") =>
      db.put("sessions", { ...emptySession(id, old), startedAt: old, state });
    await put("a", "completed");
    await put("live", "recording");
    const fake = fakeController("recording", null);
    const admin = fakePolicy({ retentionDays: 30 });
    const retention = enforcePolicy(db, admin.runtime, fake.controller);
    await retention();
    expect(await db.getAllKeys("sessions")).toEqual(["live"]);

    await put("b", "completed");
    admin.set({ retentionDays: 20 });
    await retention();
    expect(await db.getAllKeys("sessions")).toEqual(["live"]);

    await put("c", "completed");
    await db.put("sessions", { ...emptySession("live", old), startedAt: old, state: "completed" });
    fake.emit("completed");
    await retention();
    expect(await db.getAllKeys("sessions")).toEqual([]);
  });

  it("switches a live recording to a managed layout: at start, on a policy change, after a switch away", async () => {
    const { db } = await freshDb();
    const two = { sources: ["w1", "w2"], layout: "side-by-side" as const };
    const fake = fakeController("recording", displayPlan, two);
    const admin = fakePolicy({ layout: "grid" });
    await enforcePolicy(db, admin.runtime, fake.controller)();
    expect(fake.commands).toEqual(["layout:grid"]);
    fake.emit("recording", { layout: "grid" });
    fake.emit("recording", { layout: "grid", elapsedMs: 5 });
    expect(fake.commands).toEqual(["layout:grid"]);
    // one-source layout with two sources is a grid: already right, nothing to send
    admin.set({ layout: "passthrough" });
    expect(fake.commands).toEqual(["layout:grid"]);
    admin.set({ layout: "side-by-side" });
    expect(fake.commands).toEqual(["layout:grid", "layout:side-by-side"]);
    admin.set({});
    fake.emit("paused", { layout: "grid" });
    expect(fake.commands).toEqual(["layout:grid", "layout:side-by-side"]);
  });

  it("leaves the layout of a session that is not live alone", async () => {
    const { db } = await freshDb();
    const fake = fakeController("stopping", displayPlan, { sources: ["w1"], layout: "side-by-side" });
    await enforcePolicy(db, fakePolicy({ layout: "grid" }).runtime, fake.controller)();
    expect(fake.commands).toEqual([]);
  });
});
