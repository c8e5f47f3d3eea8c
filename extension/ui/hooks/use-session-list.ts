import { useEffect, useState } from "preact/hooks";
import { onDbChange } from "../../storage/change-feed";
import type { Db } from "../../storage/open-db";
import type { SessionRecord } from "../../storage/records";
import { listSessions } from "../../storage/sessions-repo";

/** Re-reads at most this often while changes stream in (a recording commits several items a second). */
const RELOAD_EVERY_MS = 500;

/** The session list, newest first, re-read (throttled) whenever the worker announces a change. */
export function useSessionList(db: Db | null): SessionRecord[] | null {
  const [sessions, setSessions] = useState<SessionRecord[] | null>(null);
  useEffect(() => {
    if (!db) return;
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let lastLoad = 0;
    const load = () => {
      timer = null;
      lastLoad = Date.now();
      listSessions(db).then(
        (list) => alive && setSessions(list),
        (e) => console.error("[sessions] listing sessions failed", e),
      );
    };
    load();
    const off = onDbChange(() => {
      timer ??= setTimeout(load, Math.max(0, lastLoad + RELOAD_EVERY_MS - Date.now()));
    });
    return () => {
      alive = false;
      if (timer) clearTimeout(timer);
      off();
    };
  }, [db]);
  return sessions;
}
