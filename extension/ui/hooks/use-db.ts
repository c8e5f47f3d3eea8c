import { useEffect, useState } from "preact/hooks";
import { type Db, openSessionsDb } from "../../storage/open-db";

/** Opens the shared database once per page; pages read IndexedDB directly (same origin as the worker). */
let opening: Promise<Db> | null = null;

export function useDb(): { db: Db | null; error: string | null } {
  const [db, setDb] = useState<Db | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    opening ??= openSessionsDb();
    opening.then(setDb, (e) => setError(String(e)));
  }, []);
  return { db, error };
}
