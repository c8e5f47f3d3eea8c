import type { AudioConfig, Layout, SourceKind, SourcesListResult, VideoConfig, VideoSourceRef } from "@sessions/shared";
import type { Settings } from "../settings/settings";

/**
 * Chooses what to record from the user's defaults and what the host reports it can see. Pure:
 * the machine's `preparing` state uses it as its guard. A plan with neither video nor audio is
 * no plan (SOURCE_UNAVAILABLE), never an empty recording. Sources ticked in the side panel
 * (`settings.chosenSources`) win over the `video` default while any of them still exists.
 */

export interface RecordingPlan {
  video: VideoConfig | null;
  audio: AudioConfig;
  segmentSeconds: number;
}

export type PlanResult = { ok: true; plan: RecordingPlan } | { ok: false; message: string };

export function planRecording(settings: Settings, sources: SourcesListResult, capabilities: string[]): PlanResult {
  const video = chooseVideo(settings, sources, capabilities);
  const mic = chooseMic(settings, sources);
  const system = settings.systemAudio && sources.systemAudio.available ? { gain: 1 } : null;
  if (!video && !mic && !system) {
    return { ok: false, message: "nothing to record: no display, window or audio source is available" };
  }
  return { ok: true, plan: { video, audio: { mic, system }, segmentSeconds: settings.segmentSeconds } };
}

function chooseVideo(settings: Settings, sources: SourcesListResult, capabilities: string[]): VideoConfig | null {
  const frame = {
    layout: settings.layout,
    fps: settings.fps,
    maxWidth: settings.maxWidth,
    maxHeight: settings.maxHeight,
  };
  const chosen = chosenVideo(settings, sources);
  if (chosen.length > 0) {
    return { ...frame, layout: layoutFor(frame.layout, chosen.length), sources: chosen };
  }
  switch (settings.video) {
    case "none":
      return null;
    case "test-pattern":
      return capabilities.includes("capture.test-pattern")
        ? {
            ...frame,
            sources: [{ id: `test-pattern:${settings.maxWidth}x${settings.maxHeight}`, kind: "test-pattern" }],
          }
        : null;
    case "primary-display": {
      const first = sources.displays[0];
      return first ? { ...frame, sources: [{ id: first.id, kind: "display" }] } : null;
    }
    case "all-displays": {
      const displays = sources.displays.slice(0, 9).map((d) => ({ id: d.id, kind: "display" as const }));
      if (displays.length === 0) return null;
      return {
        ...frame,
        layout: layoutFor(frame.layout, displays.length),
        sources: displays,
      };
    }
  }
}

/** Several sources never go out as passthrough (the host would show only the first): they get a grid. */
export function layoutFor(layout: Layout, sources: number): Layout {
  return sources > 1 && layout === "passthrough" ? "grid" : layout;
}

/**
 * The picker's last choice, keeping only the windows, displays and webcams the host still sees,
 * each with the kind the host reports (not the one the page claimed, so a policy that forbids a
 * kind cannot be passed by naming a window a display).
 */
function chosenVideo(settings: Settings, sources: SourcesListResult): VideoSourceRef[] {
  if (!settings.chosenSources) return [];
  const kinds = new Map<string, SourceKind>([
    ...sources.windows.map((w) => [w.id, "window"] as const),
    ...sources.displays.map((d) => [d.id, "display"] as const),
    ...sources.webcams.map((c) => [c.id, "webcam"] as const),
  ]);
  return settings.chosenSources.flatMap((s): VideoSourceRef[] => {
    if (s.kind === "test-pattern") return [s];
    const kind = kinds.get(s.id);
    return kind ? [{ id: s.id, kind }] : [];
  });
}

function chooseMic(settings: Settings, sources: SourcesListResult): AudioConfig["mic"] {
  if (settings.mic === null) return null;
  if (settings.mic === "default" || settings.mic.startsWith("synthetic:")) return { device: settings.mic, gain: 1 };
  return sources.audioInputs.some((i) => i.id === settings.mic) ? { device: settings.mic, gain: 1 } : null;
}
