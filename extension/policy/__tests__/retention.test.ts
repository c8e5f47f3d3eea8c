import { describe, expect, it } from "vitest";
import type { Db } from "../../storage/open-db";
import { QUOTA_MARGIN_BYTES } from "../../storage/quota";
import type { SessionRecord } from "../../storage/records";
import { emptySession, freshDb, segment } from "../../test-support/db";
import { cappedStorage } from "../capped-storage";
import { deleteSessions, enforceRetention } from "../retention";

const DAY = 86_400_000;
const NOW = 1_800_000_000_000;

async function addSession(
  db: Db,
  id: string,
  startedDaysAgo: number,
  bytes: number,
  state: SessionRecord["state"] = "completed",
) {
  const started = NOW - startedDaysAgo * DAY;
  await db.put("sessions", { ...emptySession(id, started), startedAt: started, state, bytes });
  await db.put("segments", segment(id, "video", 0, 10));
  await db.put("segments", segment(id, "audio", 0, 10));
  await db.put("screenshots", {
    sessionId: id,
    seq: 0,
    ts: 0,
    width: 1,
    height: 1,
    phash: "0",
    mime: "image/jpeg",
    bytes: 1,
    sha256: "0",
    data: new Blob([new Uint8Array(1)]),
    committedAt: started,
  });
  await db.put("timeline", { sessionId: id, ts: 0, kind: "state", detail: "recording", at: started });
}

async function remaining(db: Db) {
  return {
    sessions: (await db.getAllKeys("sessions")).sort(),
    segments: (await db.getAll("segments")).map((s) => s.sessionId).sort(),
    screenshots: (await db.getAll("screenshots")).map((s) => s.sessionId),
    timeline: (await db.getAll("timeline")).map((s) => s.sessionId),
  };
}

describe("retention", () => {
  it("deletes sessions started more than N days ago with all their media and events; keeps the rest", async () => {
    const { db } = await freshDb();
    await addSession(db, "old", 40, 100);
    await addSession(db, "new", 2, 100);
    const r = await enforceRetention(db, { retentionDays: 30 }, NOW);
    expect(r.expired).toEqual(["old"]);
    expect(await remaining(db)).toEqual({
      sessions: ["new"],
      segments: ["new", "new"],
      screenshots: ["new"],
      timeline: ["new"],
    });
  });

  it("never deletes the session being recorded or one not finished", async () => {
    const { db } = await freshDb();
    await addSession(db, "live", 40, 100, "recording");
    await addSession(db, "kept", 40, 100);
    const r = await enforceRetention(db, { retentionDays: 1 }, NOW, "kept");
    expect(r.expired).toEqual([]);
    expect((await remaining(db)).sessions).toEqual(["kept", "live"]);
  });

  it("the storage cap deletes oldest finished sessions until the rest plus the writer's margin fit", async () => {
    const { db } = await freshDb();
    const MB = 1024 * 1024;
    await addSession(db, "a", 3, 40 * MB);
    await addSession(db, "b", 2, 40 * MB);
    await addSession(db, "c", 1, 40 * MB);
    // cap 150 MB − 64 MB margin = 86 MB budget: 120 → drop a (80) → ok.
    const r = await enforceRetention(db, { storageCapMB: 150 }, NOW);
    expect(r.evicted).toEqual(["a"]);
    expect((await remaining(db)).sessions).toEqual(["b", "c"]);
    expect(QUOTA_MARGIN_BYTES).toBe(64 * MB);
  });

  it("a failing delete leaves every record of every session in place (one transaction)", async () => {
    const { db } = await freshDb();
    await addSession(db, "x", 40, 1);
    await addSession(db, "y", 40, 1);
    const before = await remaining(db);
    const broken = new Proxy(db, {
      get(target, prop) {
        if (prop !== "transaction") return Reflect.get(target, prop);
        return (...args: Parameters<Db["transaction"]>) => {
          const tx = target.transaction(...args);
          const realStore = tx.objectStore.bind(tx);
          let deletes = 0;
          // biome-ignore lint/suspicious/noExplicitAny: test shim over idb's store
          (tx as any).objectStore = (name: string) => {
            const store = realStore(name as never);
            return new Proxy(store, {
              get(s, p) {
                if (p === "delete")
                  return (key: unknown) => {
                    if (++deletes === 5) throw new Error("injected failure");
                    return (s as unknown as { delete(k: unknown): Promise<void> }).delete(key);
                  };
                const v = Reflect.get(s, p);
                return typeof v === "function" ? v.bind(s) : v;
              },
            });
          };
          return tx;
        };
      },
    }) as Db;
    await expect(deleteSessions(broken, ["x", "y"])).rejects.toThrow("injected failure");
    expect(await remaining(db)).toEqual(before);
  });
});

describe("cappedStorage", () => {
  const inner = { estimate: async () => ({ usage: 1_000, quota: 10_000_000_000 }) };
  it("reports the cap when it is tighter than the browser's quota, and the browser's otherwise", async () => {
    let cap: number | undefined = 500_000_000;
    const s = cappedStorage(inner, { capBytes: () => cap, usedBytes: async () => 200_000_000 });
    expect(await s.estimate()).toEqual({ usage: 200_000_000, quota: 500_000_000 });
    cap = undefined;
    expect(await s.estimate()).toEqual({ usage: 1_000, quota: 10_000_000_000 });
  });
});
