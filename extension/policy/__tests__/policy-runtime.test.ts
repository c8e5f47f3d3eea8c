import { afterEach, describe, expect, it, vi } from "vitest";
import { type SessionController, startSessionController } from "../../session/session-controller";
import { DEFAULT_SETTINGS, saveSettings } from "../../settings/settings";
import type { Db } from "../../storage/open-db";
import { PersistenceQueue } from "../../storage/persistence-queue";
import { freshDb } from "../../test-support/db";
import { FakeHost } from "../../test-support/fake-host";
import type { ManagedArea } from "../managed-store";
import { type PolicyRuntime, startPolicyRuntime } from "../policy-runtime";

/** chrome.storage.managed stand-in: the administrator's values and its onChanged event. */
function managedArea(initial: Record<string, unknown>) {
  let value = initial;
  const listeners = new Set<() => void>();
  const area: ManagedArea = {
    get: async () => value,
    onChanged: { addListener: (fn) => listeners.add(fn), removeListener: (fn) => listeners.delete(fn) },
  };
  return {
    area,
    set(next: Record<string, unknown>) {
      value = next;
      for (const l of listeners) l();
    },
  };
}

const WINDOW_AND_DISPLAY = [
  { id: "window:1", kind: "window" as const },
  { id: "display:0", kind: "display" as const },
];
const tick = () => new Promise((r) => setTimeout(r, 10));
const running: SessionController[] = [];
afterEach(() => {
  for (const c of running.splice(0)) c.stop();
});

async function gatedController(db: Db, policy: PolicyRuntime, host: FakeHost) {
  const c = await startSessionController({
    db,
    queue: new PersistenceQueue({ batchMs: 20, idleMs: 50 }),
    connect: host.connect,
    extensionVersion: "0.1.0",
    recordingSettings: policy.recordingSettings,
    refuseStart: policy.refusal,
    refuseSource: (source) => policy.sourceRefusal(source.kind),
    refuseLayout: policy.layoutRefusal,
  });
  running.push(c);
  return c;
}

describe("policy runtime", () => {
  it("recording settings are the person's with managed values winning, and follow a live change", async () => {
    const { db } = await freshDb();
    await saveSettings(db, { ...DEFAULT_SETTINGS, fps: 30, layout: "passthrough" });
    const admin = managedArea({ layout: "grid", maxFps: 12 });
    const policy = await startPolicyRuntime(db, admin.area);
    expect(await policy.recordingSettings()).toMatchObject({ layout: "grid", fps: 12 });
    admin.set({ layout: "side-by-side", maxFps: "fast" });
    await tick();
    expect(await policy.recordingSettings()).toMatchObject({ layout: "side-by-side", fps: 30 });
    expect(policy.current().warnings.map((w) => w.key)).toEqual(["maxFps"]);
  });

  it("the storage cap shows up in the estimate the media sink checks", async () => {
    const { db } = await freshDb();
    const admin = managedArea({ storageCapMB: 100 });
    const policy = await startPolicyRuntime(db, admin.area);
    const storage = policy.storage({ estimate: async () => ({ usage: 0, quota: 50 * 1024 ** 3 }) });
    expect(await storage.estimate()).toEqual({ usage: 0, quota: 100 * 1024 * 1024 });
    admin.set({});
    await tick();
    expect(await storage.estimate()).toEqual({ usage: 0, quota: 50 * 1024 ** 3 });
  });
});

describe("the controller obeys the policy", () => {
  it("refuses a forbidden start as POLICY_FORBIDDEN without contacting the host", async () => {
    const { db } = await freshDb();
    const policy = await startPolicyRuntime(
      db,
      managedArea({ allowedSources: ["window"], forbiddenMessage: "Ask IT." }).area,
    );
    const host = new FakeHost();
    const c = await gatedController(db, policy, host);
    const seen: string[] = [];
    c.subscribe((s) => seen.push(s.error?.code ?? "none"));
    const status = await c.command("toggle");
    expect(status).toMatchObject({
      state: "idle",
      error: {
        code: "POLICY_FORBIDDEN",
        message: "Your organization does not allow recording the display; allowed: window. Ask IT.",
      },
    });
    expect(c.status().error?.code).toBe("POLICY_FORBIDDEN");
    expect(seen).toContain("POLICY_FORBIDDEN");
    expect(host.connections).toHaveLength(0);
    expect(await db.count("sessions")).toBe(0);
  });

  it("refuses the side panel's picked sources of a forbidden kind, and a forbidden source added while recording", async () => {
    const { db } = await freshDb();
    const policy = await startPolicyRuntime(db, managedArea({ allowedSources: ["display"] }).area);
    const host = new FakeHost();
    const c = await gatedController(db, policy, host);
    const picked = await c.startWith([{ id: "w1", kind: "window" }], "grid");
    expect(picked).toMatchObject({ state: "idle", error: { code: "POLICY_FORBIDDEN" } });
    expect(picked.error?.message).toMatch(/recording the window; allowed: display/);
    expect(host.connections).toHaveLength(0);
    expect(c.addSource({ id: "w2", kind: "window" }).error?.code).toBe("POLICY_FORBIDDEN");
  });

  it("recording off refuses everything", async () => {
    const { db } = await freshDb();
    const policy = await startPolicyRuntime(db, managedArea({ recordingAllowed: false }).area);
    const c = await gatedController(db, policy, new FakeHost());
    expect((await c.command("start")).error?.message).toBe("Recording is turned off by your organization.");
  });

  it("a picked window the page called a display is refused once the host names it a window", async () => {
    const { db } = await freshDb();
    const policy = await startPolicyRuntime(db, managedArea({ allowedSources: ["display"] }).area);
    const host = new FakeHost();
    const c = await gatedController(db, policy, host);
    await c.startWith([{ id: "window:1", kind: "display" }], "grid");
    await vi.waitFor(() => expect(c.status().state).toBe("failed"));
    expect(c.status().error).toEqual({
      code: "POLICY_FORBIDDEN",
      message: "Your organization does not allow recording the window; allowed: display.",
    });
    expect(host.requests("session.start")).toHaveLength(0);
    await c.flush();
    expect((await db.get("sessions", c.status().sessionId as string))?.error?.code).toBe("POLICY_FORBIDDEN");
  });

  it("the side panel's picked sources start with the managed settings winning", async () => {
    const { db } = await freshDb();
    const policy = await startPolicyRuntime(db, managedArea({ layout: "side-by-side", maxFps: 10 }).area);
    const host = new FakeHost();
    const c = await gatedController(db, policy, host);
    await c.startWith(WINDOW_AND_DISPLAY, "grid");
    await vi.waitFor(() => expect(c.status().state).toBe("recording"));
    expect(host.requests("session.start")[0]).toMatchObject({ video: { layout: "side-by-side", fps: 10 } });
  });

  it("refuses switching a live recording away from a managed layout", async () => {
    const { db } = await freshDb();
    const policy = await startPolicyRuntime(db, managedArea({ layout: "grid", forbiddenMessage: "Ask IT." }).area);
    const host = new FakeHost();
    const c = await gatedController(db, policy, host);
    await c.startWith(WINDOW_AND_DISPLAY, "side-by-side");
    await vi.waitFor(() => expect(c.status()).toMatchObject({ state: "recording", layout: "grid" }));
    const refused = await c.command("layout:side-by-side");
    expect(refused).toMatchObject({
      layout: "grid",
      error: { code: "POLICY_FORBIDDEN", message: "The layout is set to grid by your organization. Ask IT." },
    });
    expect(host.requests("session.setLayout")).toHaveLength(0);
    expect((await c.command("layout:grid")).error).toBeNull();
    await vi.waitFor(() => expect(host.requests("session.setLayout")).toHaveLength(1));
  });
});
