/**
 * Pairs video and audio segments that cover the same slot of the media timeline (both children
 * cut at multiples of segmentSeconds) and reports their start offset, and the drift: how much
 * the gap between the tracks' segment ends has changed since the first pair. Pairing by slot, not by arrival order, keeps pairs right after a child restarts.
 */
import type { HostMessage } from "@sessions/shared";

interface Span {
  startUs: number;
  endUs: number;
}

export class SyncTracker {
  private readonly video = new Map<number, Span>();
  private readonly audio = new Map<number, Span>();
  /** audio end minus video end of the first pair: ends sit on the slot grid for both tracks. */
  private firstEndOffset: number | null = null;
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
    const endOffset = a.endUs - v.endUs;
    this.firstEndOffset ??= endOffset;
    this.lastOffsetUs = offsetUs;
    // Drift compares segment ends, not starts: a child restarted mid-session (or one that does not
    // pad its start-up, as sessions-audio does) starts its first segment late, which is not drift;
    // ends are on the slot grid.
    this.lastDriftUs = endOffset - this.firstEndOffset;
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
