/**
 * Pairs video and audio segments that cover the same slot of the media timeline (both children
 * cut at multiples of segmentSeconds) and reports their start offset and its drift since the
 * first pair. Pairing by slot, not by arrival order, keeps pairs right after a child restarts.
 */
import type { HostMessage } from "@sessions/shared";

interface Span {
  startUs: number;
  endUs: number;
}

export class SyncTracker {
  private readonly video = new Map<number, Span>();
  private readonly audio = new Map<number, Span>();
  private firstOffset: number | null = null;
  private seq = 0;
  lastOffsetUs: number | null = null;
  lastDriftUs: number | null = null;

  constructor(
    private readonly sessionId: string,
    private readonly segmentUs: number,
  ) {}

  /** Adds a segment; returns a sync event when its counterpart is already known. */
  add(track: "video" | "audio", span: Span): Extract<HostMessage, { type: "sync" }> | null {
    const slot = Math.round(span.startUs / this.segmentUs);
    (track === "video" ? this.video : this.audio).set(slot, span);
    const v = this.video.get(slot);
    const a = this.audio.get(slot);
    if (!v || !a) return null;
    this.video.delete(slot);
    this.audio.delete(slot);
    const offsetUs = a.startUs - v.startUs;
    this.firstOffset ??= offsetUs;
    this.lastOffsetUs = offsetUs;
    // drift: how far apart the tracks' ends are now, against how far apart they started
    this.lastDriftUs = a.endUs - v.endUs - this.firstOffset;
    return {
      type: "sync",
      sessionId: this.sessionId,
      seq: this.seq++,
      videoStartUs: v.startUs,
      videoEndUs: v.endUs,
      audioStartUs: a.startUs,
      audioEndUs: a.endUs,
      offsetUs,
      driftUs: this.lastDriftUs,
    };
  }
}
