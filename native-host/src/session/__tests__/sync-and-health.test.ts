import { describe, expect, it } from "vitest";
import { mergeHealth } from "../health-merger";
import { SyncTracker } from "../sync-tracker";

describe("SyncTracker", () => {
  it("pairs segments of the same slot whatever order they arrive in, and measures offset and drift", () => {
    const t = new SyncTracker("s", 10_000_000);
    // audio starts 400 ms late (device start-up): an offset, not drift
    expect(t.add("audio", { startUs: 400_000, endUs: 10_000_000 })).toBeNull();
    expect(t.add("video", { startUs: 10_000_000, endUs: 20_000_000 })).toBeNull();
    expect(t.add("video", { startUs: 0, endUs: 10_000_000 })).toMatchObject({ seq: 0, offsetUs: 400_000, driftUs: 0 });
    expect(t.add("audio", { startUs: 10_000_000, endUs: 20_000_000 })).toMatchObject({
      seq: 1,
      videoStartUs: 10_000_000,
      offsetUs: 0,
      driftUs: 0,
    });
    // a track whose segment ends 8 ms later than the other's has drifted by 8 ms
    t.add("video", { startUs: 20_000_000, endUs: 30_000_000 });
    expect(t.add("audio", { startUs: 20_000_000, endUs: 30_008_000 })).toMatchObject({
      seq: 2,
      offsetUs: 0,
      driftUs: 8_000,
    });
  });
});

describe("mergeHealth", () => {
  const host = { queueDepth: 0, unacknowledged: 0, diskFreeBytes: 50e9, rssBytes: 1e7 };
  const video = {
    type: "health" as const,
    ts: 1,
    fps: 30,
    framesOut: 990,
    dropped: 10,
    duplicated: 0,
    encodeLagMs: 3,
    sources: [],
  };

  it("is ok when nothing is wrong", () => {
    expect(mergeHealth("s", 5, { ...video, dropped: 0 }, null, host)).toMatchObject({ level: "ok", warnings: [] });
  });

  it("names dropping frames, a filling audio buffer and low disk", () => {
    const audio = {
      type: "health" as const,
      ts: 1,
      bufferFill: 0.93,
      bufferWarning: true,
      overruns: 0,
      droppedSamples: 0,
      callbackJitterUs: 0,
      encoderLagMs: 0,
      levels: { mic: null, system: null },
      devices: { mic: "ok" as const, system: null },
    };
    const h = mergeHealth("s", 5, video, audio, { ...host, diskFreeBytes: 3e9 });
    expect(h.level).toBe("warning");
    expect(h.warnings).toEqual(["frames dropping: 1.0 %", "audio buffer 93 % full", "disk low: 3.0 GB free"]);
    expect(h.video).not.toHaveProperty("type");
  });

  it("warns of a silent microphone but not of silent system audio (an idle sink sends nothing)", () => {
    const audio = {
      type: "health" as const,
      ts: 1,
      bufferFill: 0.1,
      bufferWarning: false,
      overruns: 0,
      droppedSamples: 0,
      callbackJitterUs: 0,
      encoderLagMs: 0,
      levels: { mic: null, system: null },
      devices: { mic: "silent" as const, system: "silent" as const },
    };
    expect(mergeHealth("s", 5, null, audio, host)).toMatchObject({
      level: "warning",
      warnings: ["microphone sends nothing"],
    });
    const missing = mergeHealth(
      "s",
      5,
      null,
      { ...audio, devices: { mic: "ok" as const, system: "missing" as const } },
      host,
    );
    expect(missing).toMatchObject({ level: "critical", warnings: ["system audio is missing"] });
  });

  it("is critical past 2 % dropped or under 1 GB free", () => {
    expect(mergeHealth("s", 5, { ...video, dropped: 50 }, null, host).level).toBe("critical");
    expect(mergeHealth("s", 5, null, null, { ...host, diskFreeBytes: 5e8 }).level).toBe("critical");
  });
});
