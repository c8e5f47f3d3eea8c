import type { IDBPDatabase, IDBPTransaction, StoreNames } from "idb";
import type { SessionsDb } from "./schema";

/**
 * Upgrade functions, one per schema version, applied in order inside the version-change
 * transaction. A database at version N runs every step above N; steps never await anything but
 * their own requests, so the upgrade transaction stays alive.
 */

type UpgradeTx = IDBPTransaction<SessionsDb, StoreNames<SessionsDb>[], "versionchange">;
type Step = (db: IDBPDatabase<SessionsDb>, tx: UpgradeTx) => void;

export const MIGRATIONS: Record<number, Step> = {
  1: (db) => {
    const sessions = db.createObjectStore("sessions", { keyPath: "id" });
    sessions.createIndex("by-created", "createdAt");
    sessions.createIndex("by-state", "state");
    const segments = db.createObjectStore("segments", { keyPath: ["sessionId", "track", "seq"] });
    segments.createIndex("by-session", "sessionId");
    segments.createIndex("by-session-time", ["sessionId", "startUs"]);
    const screenshots = db.createObjectStore("screenshots", { keyPath: ["sessionId", "seq"] });
    screenshots.createIndex("by-session", "sessionId");
    screenshots.createIndex("by-session-time", ["sessionId", "ts"]);
    const timeline = db.createObjectStore("timeline", { keyPath: ["sessionId", "ts", "kind"] });
    timeline.createIndex("by-session", "sessionId");
    db.createObjectStore("settings", { keyPath: "key" });
  },
  // v2: the machine snapshot moves out of chrome.storage into its own store; timeline gains a
  // wall-clock index for the "recent activity" view.
  2: (db, tx) => {
    db.createObjectStore("runtime", { keyPath: "key" });
    tx.objectStore("timeline").createIndex("by-at", "at");
  },
};

export function runMigrations(
  db: IDBPDatabase<SessionsDb>,
  tx: UpgradeTx,
  oldVersion: number,
  newVersion: number | null,
): void {
  const target = newVersion ?? oldVersion;
  for (let v = oldVersion + 1; v <= target; v++) {
    const step = MIGRATIONS[v];
    if (!step) throw new Error(`no migration to schema version ${v}`);
    step(db, tx);
  }
}
