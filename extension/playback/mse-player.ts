import { type PlayableSegment, planTracks, timestampOffsetOf } from "./segment-order";

/**
 * Plays a finished session's stored segments in one <video> through MediaSource: one
 * SourceBuffer per track (H.264 fMP4 video, Opus WebM audio), each segment appended at its place
 * on the session clock (its own timestamps are session-clock times), so picture and sound stay
 * aligned. Appends run
 * in order per track; when the browser's buffer quota is reached, played-out media is evicted and
 * the append retried. A hole in the media (a child that restarted) is jumped over on `waiting`.
 * Guarantees: every failure ends in `onError` with a message; `close()` releases the object URL.
 */

export interface PlayerEvents {
  onError(message: string): void;
  /** All segments are in the SourceBuffers and the stream is ended. */
  onLoaded?(info: { durationS: number; tracks: string[] }): void;
}

export interface Player {
  close(): void;
}

const waitEvent = (target: EventTarget, name: string) =>
  new Promise<Event>((resolve) => target.addEventListener(name, resolve, { once: true }));

async function appendOne(sb: SourceBuffer, bytes: ArrayBuffer, video: HTMLVideoElement): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      const done = new Promise<void>((resolve, reject) => {
        sb.addEventListener("updateend", () => resolve(), { once: true });
        sb.addEventListener("error", () => reject(new Error("the browser could not decode a segment")), {
          once: true,
        });
      });
      sb.appendBuffer(bytes);
      await done;
      return;
    } catch (err) {
      if (!(err instanceof DOMException && err.name === "QuotaExceededError") || attempt > 60) throw err;
      // Buffer full: drop what has been played (keep 5 s behind), then try again a little later.
      const keepFrom = Math.max(0, video.currentTime - 5);
      if (sb.buffered.length > 0 && sb.buffered.start(0) < keepFrom) {
        sb.remove(0, keepFrom);
        await waitEvent(sb, "updateend");
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/** Jumps the playhead over a hole in the buffered media (e.g. a capture child that restarted). */
function skipHoles(video: HTMLVideoElement): () => void {
  const onWaiting = () => {
    const b = video.buffered;
    for (let i = 0; i < b.length; i++) {
      if (b.start(i) > video.currentTime + 0.01) {
        if (i === 0 || b.end(i - 1) <= video.currentTime + 0.1) video.currentTime = b.start(i) + 0.001;
        return;
      }
    }
  };
  video.addEventListener("waiting", onWaiting);
  return () => video.removeEventListener("waiting", onWaiting);
}

export function playSegments(video: HTMLVideoElement, segments: PlayableSegment[], events: PlayerEvents): Player {
  const ms = new MediaSource();
  const url = URL.createObjectURL(ms);
  let closed = false;
  const unskip = skipHoles(video);
  video.src = url;

  const run = async () => {
    await waitEvent(ms, "sourceopen");
    const tracks = planTracks(segments);
    if (tracks.length === 0) throw new Error("this session has no media to play");
    const feeds = tracks.map((t) => {
      const first = t.segments[0] as PlayableSegment;
      if (!MediaSource.isTypeSupported(first.mime)) throw new Error(`this browser cannot play ${first.mime}`);
      const sb = ms.addSourceBuffer(first.mime);
      sb.mode = "segments";
      return { plan: t, sb, mime: first.mime };
    });
    await Promise.all(
      feeds.map(async (f) => {
        for (const seg of f.plan.segments) {
          if (closed) return;
          if (seg.mime !== f.mime && "changeType" in f.sb) {
            f.sb.changeType(seg.mime);
            f.mime = seg.mime;
          }
          f.sb.timestampOffset = timestampOffsetOf(seg);
          await appendOne(f.sb, await seg.data.arrayBuffer(), video);
        }
      }),
    );
    if (closed) return;
    const endUs = Math.max(...segments.map((s) => s.endUs));
    ms.endOfStream();
    events.onLoaded?.({
      durationS: Number.isFinite(ms.duration) ? ms.duration : endUs / 1e6,
      tracks: feeds.map((f) => f.plan.track),
    });
  };
  video.addEventListener("error", () => {
    if (!closed) events.onError(`playback error: ${video.error?.message || `code ${video.error?.code}`}`);
  });
  run().catch((err: unknown) => {
    if (!closed) events.onError(String((err as Error)?.message ?? err));
  });
  return {
    close() {
      closed = true;
      unskip();
      video.removeAttribute("src");
      video.load();
      URL.revokeObjectURL(url);
    },
  };
}
