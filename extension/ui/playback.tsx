import { useEffect, useRef, useState } from "preact/hooks";
import { type Player, playSegments } from "../playback/mse-player";
import type { Db } from "../storage/open-db";
import type { TimelineRecord } from "../storage/records";
import { segmentsOf } from "../storage/sessions-repo";
import { formatDuration } from "./format";

/**
 * Plays a finished session in the side panel: its stored video and audio segments through one
 * <video> (see playback/mse-player), and beside it the recording's events (pause, resume, gap,
 * source added or removed, child restarted); clicking one seeks there. Nothing loads until Play.
 */

const EVENT_KINDS = new Set(["pause", "resume", "gap", "source-added", "source-removed", "layout", "child-restarted"]);
const PLAYABLE = new Set(["completed", "failed"]);

type PlaybackState = "idle" | "loading" | "loaded" | "error";

export function Playback({
  db,
  sessionId,
  sessionState,
  timeline,
}: {
  db: Db | null;
  sessionId: string;
  sessionState: string;
  timeline: TimelineRecord[];
}) {
  const video = useRef<HTMLVideoElement>(null);
  const player = useRef<Player | null>(null);
  const [state, setState] = useState<PlaybackState>("idle");
  const [message, setMessage] = useState("");
  useEffect(
    () => () => {
      player.current?.close();
      player.current = null;
      setState("idle");
    },
    [sessionId],
  );
  if (!PLAYABLE.has(sessionState)) return null;
  const events = timeline.filter((t) => EVENT_KINDS.has(t.kind)).sort((a, b) => a.ts - b.ts);

  const play = async () => {
    if (!db || !video.current) return;
    player.current?.close();
    setState("loading");
    const segments = await segmentsOf(db, sessionId);
    if (segments.length === 0) {
      setState("error");
      setMessage("this session has no media");
      return;
    }
    const el = video.current;
    player.current = playSegments(el, segments, {
      onError: (m) => {
        setState("error");
        setMessage(m);
      },
      onLoaded: ({ durationS, tracks }) => {
        setState("loaded");
        setMessage(`${tracks.join(" + ")}, ${formatDuration(durationS * 1000)}`);
      },
    });
    el.play().catch(() => undefined); // starts once media is buffered; a blocked autoplay waits for the controls
  };

  return (
    <section class="playback" data-testid="playback" data-state={state}>
      <h3>Playback</h3>
      {/* biome-ignore lint/a11y/useMediaCaption: screen recordings have no captions to offer */}
      <video ref={video} controls data-testid="playback-video" />
      <div class="buttons">
        <button type="button" data-testid="play" onClick={() => void play()}>
          {state === "idle" ? "Play" : "Play again"}
        </button>
        {message && (
          <span class={state === "error" ? "error" : "hint"} data-testid="playback-message">
            {message}
          </span>
        )}
      </div>
      {events.length > 0 && (
        <ol class="timeline playback-events" data-testid="playback-events">
          {events.map((e) => (
            <li key={`${e.ts}/${e.kind}`}>
              <button
                type="button"
                class="link"
                onClick={() => {
                  if (video.current) video.current.currentTime = e.ts / 1e6;
                }}
              >
                {formatDuration(e.ts / 1000)}
              </button>{" "}
              <span class="kind">{e.kind}</span> {e.detail}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
