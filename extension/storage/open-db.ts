import { type IDBPDatabase, openDB } from "idb";
import { runMigrations } from "./migrations";
import { DB_NAME, DB_VERSION, type SessionsDb } from "./schema";

/**
 * Opens (creating or upgrading) the Sessions database. The worker and the side panel share it
 * (same origin). A newer tab's upgrade closes this connection instead of blocking it.
 */

export type Db = IDBPDatabase<SessionsDb>;

export function openSessionsDb(name: string = DB_NAME, version: number = DB_VERSION): Promise<Db> {
  return openDB<SessionsDb>(name, version, {
    upgrade(db, oldVersion, newVersion, tx) {
      runMigrations(db, tx, oldVersion, newVersion);
    },
    blocking(_current, _blocked, event) {
      (event.target as IDBDatabase | null)?.close();
    },
  });
}
