import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS } from "../../settings/settings";
import { FAKE_SOURCES } from "../../test-support/fake-host";
import { planRecording } from "../source-plan";

describe("planRecording", () => {
  it("records the primary display, the default mic and system audio by default", () => {
    const r = planRecording(DEFAULT_SETTINGS, FAKE_SOURCES, []);
    expect(r).toEqual({
      ok: true,
      plan: {
        video: {
          sources: [{ id: "display:0", kind: "display" }],
          layout: "passthrough",
          fps: 30,
          maxWidth: 1920,
          maxHeight: 1080,
        },
        audio: { mic: { device: "default", gain: 1 }, system: { gain: 1 } },
        segmentSeconds: 10,
      },
    });
  });

  it("uses the test pattern only when the host can draw it", () => {
    const settings = { ...DEFAULT_SETTINGS, video: "test-pattern" as const, maxWidth: 320, maxHeight: 240 };
    const yes = planRecording(settings, FAKE_SOURCES, ["capture.test-pattern"]);
    expect(yes.ok && yes.plan.video?.sources).toEqual([{ id: "test-pattern:320x240", kind: "test-pattern" }]);
    const no = planRecording(settings, FAKE_SOURCES, []);
    expect(no.ok && no.plan.video).toBeNull();
  });

  it("drops a chosen microphone the host does not list, and system audio it cannot capture", () => {
    const r = planRecording(
      { ...DEFAULT_SETTINGS, mic: "usb-mic" },
      { ...FAKE_SOURCES, systemAudio: { available: false } },
      [],
    );
    expect(r.ok && r.plan.audio).toEqual({ mic: null, system: null });
  });

  it("puts several displays in a grid", () => {
    const two = {
      ...FAKE_SOURCES,
      displays: [...FAKE_SOURCES.displays, { id: "display:1", name: "B", width: 1, height: 1 }],
    };
    const r = planRecording({ ...DEFAULT_SETTINGS, video: "all-displays" }, two, []);
    expect(r.ok && r.plan.video?.layout).toBe("grid");
  });

  it("refuses a plan with nothing to record", () => {
    const none = { ...FAKE_SOURCES, displays: [], systemAudio: { available: false } };
    expect(planRecording({ ...DEFAULT_SETTINGS, mic: null }, none, []).ok).toBe(false);
  });
  it("records the sources ticked in the picker that still exist, as a grid when there are several", () => {
    const settings = {
      ...DEFAULT_SETTINGS,
      chosenSources: [
        { id: "window:1", kind: "window" as const },
        { id: "display:0", kind: "display" as const },
        { id: "window:gone", kind: "window" as const },
      ],
    };
    const r = planRecording(settings, FAKE_SOURCES, []);
    expect(r.ok && r.plan.video?.sources).toEqual([
      { id: "window:1", kind: "window" },
      { id: "display:0", kind: "display" },
    ]);
    expect(r.ok && r.plan.video?.layout).toBe("grid");
    const sideBySide = planRecording({ ...settings, layout: "side-by-side" }, FAKE_SOURCES, []);
    expect(sideBySide.ok && sideBySide.plan.video?.layout).toBe("side-by-side");
  });

  it("falls back to the video default when none of the chosen sources is left", () => {
    const settings = { ...DEFAULT_SETTINGS, chosenSources: [{ id: "window:gone", kind: "window" as const }] };
    const r = planRecording(settings, FAKE_SOURCES, []);
    expect(r.ok && r.plan.video?.sources).toEqual([{ id: "display:0", kind: "display" }]);
  });

  it("records a chosen source with the kind the host reports, whatever kind the page claimed", () => {
    const settings = {
      ...DEFAULT_SETTINGS,
      chosenSources: [
        { id: "window:1", kind: "display" as const },
        { id: "display:0", kind: "webcam" as const },
      ],
    };
    const r = planRecording(settings, FAKE_SOURCES, []);
    expect(r.ok && r.plan.video?.sources).toEqual([
      { id: "window:1", kind: "window" },
      { id: "display:0", kind: "display" },
    ]);
  });
});
