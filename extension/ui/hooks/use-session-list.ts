import { useEffect, useState } from "preact/hooks";
import { onDbChange } from "../../storage/change-feed";
import type { Db } from "../../storage/open-db";
import type { SessionRecord } from "../../storage/records";
import { listSessions } from "../../storage/sessions-repo";

/** The session list, newest first, re-read whenever the worker announces a change. */
export function useSessionList(db: Db | null): SessionRecord[] | null {
  const [sessions, setSessions] = useState<SessionRecord[] | null>(null);
  useEffect(() => {
    if (!db) return;
    let alive = true;
    const load = () =>
      listSessions(db).then(
        (list) => alive && setSessions(list),
        (e) => console.error("[sessions] listing sessions failed", e),
      );
    void load();
    const off = onDbChange(() => void load());
    return () => {
      alive = false;
      off();
    };
  }, [db]);
  return sessions;
}
