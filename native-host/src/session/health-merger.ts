/**
 * Merges the children's latest health with the host's own numbers into one `health` event, and
 * names what is wrong in words a person can act on. Thresholds: frames dropping over 0.5 % is a
 * warning (our target), over 2 % critical (the plan's limit); audio buffer per its hysteresis
 * flag; disk under 5 GB a warning, under 1 GB critical.
 */
import type { child, HealthEvent } from "@sessions/shared";
import type { z } from "zod";

type VideoHealth = z.infer<typeof child.CaptureHealth>;
type AudioHealth = z.infer<typeof child.AudioHealth>;

export interface HostStats {
  queueDepth: number;
  unacknowledged: number;
  diskFreeBytes: number;
  rssBytes: number;
}

export function mergeHealth(
  sessionId: string,
  ts: number,
  video: VideoHealth | null,
  audio: AudioHealth | null,
  host: HostStats,
): HealthEvent {
  const warnings: string[] = [];
  let level: HealthEvent["level"] = "ok";
  const raise = (l: "warning" | "critical", text: string) => {
    warnings.push(text);
    if (l === "critical" || level === "ok") level = l;
  };
  if (video) {
    const total = video.framesOut + video.dropped;
    const droppedPct = total > 0 ? (100 * video.dropped) / total : 0;
    if (droppedPct > 2) raise("critical", `frames dropping: ${droppedPct.toFixed(1)} %`);
    else if (droppedPct > 0.5) raise("warning", `frames dropping: ${droppedPct.toFixed(1)} %`);
    for (const s of video.sources) if (s.state === "lost") raise("warning", `source ${s.id} is gone`);
  }
  if (audio) {
    if (audio.bufferWarning) raise("warning", `audio buffer ${Math.round(audio.bufferFill * 100)} % full`);
    if (audio.devices.mic === "missing") raise("critical", "microphone is missing");
    else if (audio.devices.mic === "silent") raise("warning", "microphone sends nothing");
    // An idle PulseAudio sink delivers no data at all, so "silent" system audio only means
    // nothing is playing: not worth a warning. A missing monitor source is.
    if (audio.devices.system === "missing") raise("critical", "system audio is missing");
  }
  const gb = host.diskFreeBytes / 1e9;
  if (gb < 1) raise("critical", `disk low: ${gb.toFixed(1)} GB free`);
  else if (gb < 5) raise("warning", `disk low: ${gb.toFixed(1)} GB free`);
  const strip = <T extends { type: string; ts: number }>(h: T | null) => {
    if (!h) return null;
    const { type: _t, ts: _ts, ...rest } = h;
    return rest;
  };
  return { type: "health", sessionId, ts, level, warnings, video: strip(video), audio: strip(audio), host };
}
