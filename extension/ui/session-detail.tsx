import { useEffect } from "preact/hooks";
import { formatBytes, formatDuration, formatWhen } from "./format";
import type { SessionDetail as Detail } from "./hooks/use-session-detail";

/** One session: duration, size, segment counts and its timeline events. */
export function SessionDetail({ detail }: { detail: Detail | null | "missing" }) {
  useEffect(() => {
    if (detail && detail !== "missing") markPainted();
  }, [detail]);
  if (detail === null) return null;
  if (detail === "missing") return <section class="detail">That session no longer exists.</section>;
  const s = detail.session;
  return (
    <section class="detail" data-testid="session-detail" data-session-id={s.id}>
      <h2>Session {formatWhen(s.createdAt)}</h2>
      <dl>
        <dt>State</dt>
        <dd data-testid="detail-state">{s.state}</dd>
        <dt>Duration</dt>
        <dd data-testid="detail-duration">{formatDuration(s.durationUs / 1000)}</dd>
        <dt>Size</dt>
        <dd data-testid="detail-size">{formatBytes(s.bytes)}</dd>
        <dt>Segments</dt>
        <dd data-testid="detail-segments">
          {s.video.count} video, {s.audio.count} audio, {s.screenshots.count} screenshots
        </dd>
        {s.error && (
          <>
            <dt>Error</dt>
            <dd data-code={s.error.code}>
              {s.error.code}: {s.error.message}
            </dd>
          </>
        )}
      </dl>
      <h3>Timeline ({s.timelineCount})</h3>
      <ol class="timeline" data-testid="detail-timeline">
        {detail.timeline.map((t) => (
          <li key={`${t.ts}/${t.kind}`}>
            <span class="ts">{formatDuration(t.ts / 1000)}</span> <span class="kind">{t.kind}</span> {t.detail}
          </li>
        ))}
      </ol>
    </section>
  );
}

/** After the browser paints the detail: the benchmark reads this mark as "time to first paint of the session". */
function markPainted() {
  requestAnimationFrame(() => setTimeout(() => performance.mark("session-detail-painted"), 0));
}
