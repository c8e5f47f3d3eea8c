import { describe, expect, it } from "vitest";
import { type PlayableSegment, planTracks, timestampOffsetOf } from "../segment-order";

const seg = (track: "video" | "audio", seq: number, startUs: number, endUs: number): PlayableSegment => ({
  track,
  seq,
  startUs,
  endUs,
  mime: track === "video" ? 'video/mp4;codecs="avc1.64001f"' : "audio/webm;codecs=opus",
  data: new Blob([]),
});

describe("planTracks", () => {
  it("orders each track by session time and places each segment at its start", () => {
    const plans = planTracks([
      seg("audio", 1, 2e6, 4e6),
      seg("video", 1, 2e6, 4e6),
      seg("video", 0, 0, 2e6),
      seg("audio", 0, 0, 2e6),
    ]);
    expect(plans.map((p) => [p.track, p.segments.map((s) => s.seq)])).toEqual([
      ["video", [0, 1]],
      ["audio", [0, 1]],
    ]);
    expect(plans.every((p) => p.holes.length === 0)).toBe(true);
    // the children's media timestamps are already on the session clock
    expect(timestampOffsetOf(seg("video", 1, 2_000_000, 4e6))).toBe(0);
  });

  it("reports holes longer than the tolerance and skips missing tracks", () => {
    const plans = planTracks([seg("video", 0, 0, 2e6), seg("video", 1, 2_000_500, 4e6), seg("video", 2, 6e6, 8e6)]);
    expect(plans).toHaveLength(1);
    expect(plans[0]?.holes).toEqual([{ fromUs: 4e6, toUs: 6e6 }]);
  });
});
