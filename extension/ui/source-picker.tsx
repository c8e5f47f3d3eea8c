import type { Layout, SourceKind, SourcesListResult, VideoSourceRef } from "@sessions/shared";
import { useEffect, useState } from "preact/hooks";
import { useManagedPolicy } from "../policy/ui/use-managed-policy";
import type { SessionStatus } from "../session/status";
import { loadSettings, saveSettings } from "../settings/settings";
import type { Db } from "../storage/open-db";
import { sendUi } from "./hooks/use-session-status";
import { useSources } from "./hooks/use-sources";
import { LayoutSelect } from "./layout-select";

/**
 * Choosing what to record. Idle: the host's windows and displays with a tick box each, a layout,
 * and "Record selected" (every change of the choice is stored, so the toolbar button records it
 * too). While
 * recording or paused: the recorded sources with "Remove" and the other windows with "Add".
 * Source kinds the organization does not allow are not offered; a managed layout is locked.
 */

interface Choice {
  ref: VideoSourceRef;
  label: string;
}

function choicesOf(sources: SourcesListResult, allowed: SourceKind[] | undefined): Choice[] {
  const ok = (k: SourceKind) => allowed === undefined || allowed.includes(k);
  return [
    ...(ok("window")
      ? sources.windows.map((w) => ({
          ref: { id: w.id, kind: "window" as const },
          label: w.app ? `${w.title} — ${w.app}` : w.title,
        }))
      : []),
    ...(ok("display")
      ? sources.displays.map((d) => ({
          ref: { id: d.id, kind: "display" as const },
          label: `${d.name} (display ${d.width}×${d.height})`,
        }))
      : []),
  ];
}

export function SourcePicker({ status, db }: { status: SessionStatus | null; db: Db | null }) {
  const state = status?.state ?? "idle";
  const idle = state === "idle" || state === "completed" || state === "failed";
  const live = state === "recording" || state === "paused";
  const { sources, error, loading, refresh } = useSources(idle || live);
  const policy = useManagedPolicy()?.policy;
  const [ticked, setTicked] = useState<VideoSourceRef[]>([]);
  const [layout, setLayout] = useState<Layout>("grid");
  useEffect(() => {
    if (!db) return;
    void loadSettings(db).then((s) => {
      if (s.chosenSources) setTicked(s.chosenSources);
      setLayout(s.layout);
    });
  }, [db]);
  if (!idle && !live) return null;
  const choices = sources ? choicesOf(sources, policy?.allowedSources) : [];
  const lockedLayout = policy?.layout;
  const effectiveLayout = lockedLayout ?? layout;
  const refused = policy?.recordingAllowed === false;

  if (live) {
    const recorded = new Set(status?.sources ?? []);
    return (
      <section class="sources-live" data-testid="live-sources">
        <h3>Recorded sources</h3>
        <ul>
          {[...choices.filter((c) => recorded.has(c.ref.id)), ...choices.filter((c) => !recorded.has(c.ref.id))].map(
            (c) => (
              <LiveSource key={c.ref.id} choice={c} recorded={recorded.has(c.ref.id)} last={recorded.size <= 1} />
            ),
          )}
        </ul>
        <button type="button" onClick={refresh} disabled={loading}>
          Refresh windows
        </button>
      </section>
    );
  }

  const isTicked = (id: string) => ticked.some((t) => t.id === id);
  // Every change is stored at once: the toolbar button and the shortcut record the last choice.
  const remember = (next: VideoSourceRef[], nextLayout: Layout) => {
    if (!db) return;
    void loadSettings(db).then((s) =>
      saveSettings(db, { ...s, chosenSources: next.length > 0 ? next : null, layout: nextLayout }),
    );
  };
  const toggle = (ref: VideoSourceRef) => {
    const next = isTicked(ref.id) ? ticked.filter((t) => t.id !== ref.id) : [...ticked, ref].slice(0, 9);
    setTicked(next);
    remember(next, effectiveLayout);
  };
  const chooseLayout = (l: Layout) => {
    setLayout(l);
    remember(ticked, l);
  };
  const present = ticked.filter((t) => choices.some((c) => c.ref.id === t.id));
  return (
    <section class="picker" data-testid="source-picker">
      <h3>What to record</h3>
      {error && (
        <p class="error" data-testid="sources-error">
          Could not list sources: {error}
        </p>
      )}
      {loading && !sources && <p>Asking the host for windows and displays…</p>}
      {sources && choices.length === 0 && <p>No window or display can be recorded.</p>}
      <ul class="choices">
        {choices.map((c) => (
          <li key={c.ref.id}>
            <label>
              <input
                type="checkbox"
                data-source-id={c.ref.id}
                checked={isTicked(c.ref.id)}
                onChange={() => toggle(c.ref)}
              />{" "}
              {c.label}
            </label>
          </li>
        ))}
      </ul>
      <LayoutSelect testid="layout-select" value={effectiveLayout} locked={lockedLayout} onChange={chooseLayout} />
      {sources?.systemAudio.available && <p class="hint">System audio: {sources.systemAudio.name ?? "available"}</p>}
      <div class="buttons">
        <button
          type="button"
          data-testid="record-selected"
          disabled={present.length === 0 || refused}
          onClick={() => void sendUi({ type: "session.startWith", sources: present, layout: effectiveLayout })}
        >
          Record selected ({present.length})
        </button>
        <button type="button" onClick={refresh} disabled={loading}>
          Refresh
        </button>
      </div>
    </section>
  );
}

/** One window or display while recording: a recorded one can be removed (not the last), another added. */
function LiveSource({ choice, recorded, last }: { choice: Choice; recorded: boolean; last: boolean }) {
  const click = () =>
    void sendUi(
      recorded
        ? { type: "session.removeSource", sourceId: choice.ref.id }
        : { type: "session.addSource", source: choice.ref },
    );
  return (
    <li data-source-id={choice.ref.id}>
      {choice.label}{" "}
      <button
        type="button"
        data-testid={recorded ? "remove-source" : "add-source"}
        disabled={recorded && last}
        onClick={click}
      >
        {recorded ? "Remove" : "Add"}
      </button>
    </li>
  );
}
