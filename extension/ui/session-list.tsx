import type { SessionRecord } from "../storage/records";
import { formatBytes, formatDuration, formatWhen } from "./format";

/** Every stored session, newest first; clicking one opens its detail. */
export function SessionList(props: {
  sessions: SessionRecord[] | null;
  selected: string | null;
  onSelect: (id: string) => void;
}) {
  if (!props.sessions) return <section class="list">Loading sessions…</section>;
  if (props.sessions.length === 0) return <section class="list">No sessions yet.</section>;
  return (
    <section class="list">
      <h2>Sessions</h2>
      <ul data-testid="session-list">
        {props.sessions.map((s) => (
          <li key={s.id} data-session-id={s.id} data-state={s.state} class={s.id === props.selected ? "selected" : ""}>
            <button type="button" onClick={() => props.onSelect(s.id)}>
              <span class="when">{formatWhen(s.createdAt)}</span>
              <span class={`state ${s.state}`}>{s.state}</span>
              <span class="dur">{formatDuration(s.durationUs / 1000)}</span>
              <span class="size">{formatBytes(s.bytes)}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
