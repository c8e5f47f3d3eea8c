import { useEffect, useState } from "preact/hooks";
import { onDbChange } from "../../storage/change-feed";
import type { Db } from "../../storage/open-db";
import type { SessionRecord, TimelineRecord } from "../../storage/records";
import { getSession, timelineOf } from "../../storage/sessions-repo";

/**
 * One session's detail: the record (totals kept by the commit transaction, so no need to load
 * segments to show duration and size), segment counts per track, and its timeline events.
 */
/** Events read for the detail view: what it shows, no more (an hour has thousands). */
export const TIMELINE_SHOWN = 200;

export interface SessionDetail {
  session: SessionRecord;
  timeline: TimelineRecord[];
}

export function useSessionDetail(db: Db | null, sessionId: string | null): SessionDetail | null | "missing" {
  const [detail, setDetail] = useState<SessionDetail | null | "missing">(null);
  useEffect(() => {
    if (!db || !sessionId) {
      setDetail(null);
      return;
    }
    let alive = true;
    const load = async () => {
      const [session, timeline] = await Promise.all([
        getSession(db, sessionId),
        timelineOf(db, sessionId, TIMELINE_SHOWN),
      ]);
      if (alive) setDetail(session ? { session, timeline } : "missing");
    };
    void load();
    const off = onDbChange((c) => {
      if (c.sessionId === sessionId) void load();
    });
    return () => {
      alive = false;
      off();
    };
  }, [db, sessionId]);
  return detail;
}
