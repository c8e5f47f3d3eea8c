import { useState } from "preact/hooks";
import { PolicyNotice } from "../policy/ui/policy-notice";
import { ActiveSession } from "./active-session";
import { useDb } from "./hooks/use-db";
import { useSessionDetail } from "./hooks/use-session-detail";
import { useSessionList } from "./hooks/use-session-list";
import { useSessionStatus } from "./hooks/use-session-status";
import { Playback } from "./playback";
import { SessionDetail } from "./session-detail";
import { SessionList } from "./session-list";
import { SourcePicker } from "./source-picker";

/**
 * The side panel: state split by concern — the live machine status (from the worker), the
 * session list and the selected session (both read from IndexedDB) — each in its own hook.
 */
export function SidePanelApp({ initialSession }: { initialSession: string | null }) {
  const { db, error } = useDb();
  const status = useSessionStatus();
  const sessions = useSessionList(db);
  const [selected, setSelected] = useState<string | null>(initialSession);
  const detail = useSessionDetail(db, selected);
  if (error) return <p class="error">Could not open the database: {error}</p>;
  return (
    <main>
      <PolicyNotice db={db} revision={status?.at ?? 0} />
      <ActiveSession status={status} />
      <SourcePicker status={status} db={db} />
      <SessionDetail detail={detail} />
      {detail && detail !== "missing" && (
        <Playback
          db={db}
          sessionId={detail.session.id}
          sessionState={detail.session.state}
          timeline={detail.timeline}
        />
      )}
      <SessionList sessions={sessions} selected={selected} onSelect={setSelected} />
    </main>
  );
}
