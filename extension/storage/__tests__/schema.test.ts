import { describe, expect, it } from "vitest";
import { freshDb } from "../../test-support/db";
import { openSessionsDb } from "../open-db";
import { emptySession } from "../records";
import { DB_VERSION } from "../schema";

describe("schema and upgrades", () => {
  it("creates every store and index at the current version", async () => {
    const { db } = await freshDb();
    expect(db.version).toBe(DB_VERSION);
    expect([...db.objectStoreNames].sort()).toEqual([
      "runtime",
      "screenshots",
      "segments",
      "sessions",
      "settings",
      "timeline",
    ]);
    const tx = db.transaction(["sessions", "segments", "screenshots", "timeline"]);
    expect([...tx.objectStore("sessions").indexNames].sort()).toEqual(["by-created", "by-state"]);
    expect([...tx.objectStore("segments").indexNames].sort()).toEqual(["by-session", "by-session-time"]);
    expect([...tx.objectStore("screenshots").indexNames].sort()).toEqual(["by-session", "by-session-time"]);
    expect([...tx.objectStore("timeline").indexNames].sort()).toEqual(["by-at", "by-session"]);
    db.close();
  });

  it("upgrades a version-1 database in place, keeping its records", async () => {
    const { db: v1, name } = await freshDb(1);
    expect([...v1.objectStoreNames]).not.toContain("runtime");
    await v1.put("sessions", emptySession("old-1", 5));
    await v1.put("timeline", { sessionId: "old-1", ts: 1, kind: "pause", detail: "", at: 7 });
    v1.close();
    const v2 = await openSessionsDb(name);
    expect(v2.version).toBe(2);
    expect((await v2.get("sessions", "old-1"))?.createdAt).toBe(5);
    expect(await v2.getAllFromIndex("timeline", "by-at", 7)).toHaveLength(1);
    await v2.put("runtime", { key: "k", value: 1, updatedAt: 1 });
    v2.close();
  });
});
