/**
 * Which stored segments a player feeds, per track and in order, and where each lands on the
 * session clock. Pure, so the ordering and the hole report are tested without a browser.
 * The children stamp the media inside every segment on the session clock itself (paused time
 * already cut out; checked with ffprobe in the full-recording e2e: a segment's first timestamp is
 * its `startUs`), so segments are appended at their own timestamps, with no offset added.
 */

export interface PlayableSegment {
  track: "video" | "audio";
  seq: number;
  startUs: number;
  endUs: number;
  mime: string;
  data: Blob;
}

export interface TrackPlan {
  track: "video" | "audio";
  segments: PlayableSegment[];
  /** Places where one segment ends more than `toleranceUs` before the next starts. */
  holes: { fromUs: number; toUs: number }[];
}

export function planTracks(segments: PlayableSegment[], toleranceUs = 1_000): TrackPlan[] {
  const out: TrackPlan[] = [];
  for (const track of ["video", "audio"] as const) {
    const list = segments.filter((s) => s.track === track).sort((a, b) => a.startUs - b.startUs || a.seq - b.seq);
    if (list.length === 0) continue;
    const holes: TrackPlan["holes"] = [];
    for (let i = 1; i < list.length; i++) {
      const prev = list[i - 1] as PlayableSegment;
      const next = list[i] as PlayableSegment;
      if (next.startUs - prev.endUs > toleranceUs) holes.push({ fromUs: prev.endUs, toUs: next.startUs });
    }
    out.push({ track, segments: list, holes });
  }
  return out;
}

/**
 * Seconds to set as the SourceBuffer's timestampOffset before appending this segment: 0, since
 * the media is already on the session clock (adding `startUs` would place segment n at 2·startUs).
 */
export function timestampOffsetOf(_segment: PlayableSegment): number {
  return 0;
}
