import { z } from "zod";
import type { Db } from "../storage/open-db";

/**
 * Where the machine's persisted snapshot lives between worker lifetimes: the `runtime` store,
 * written through the queue (critical on every state change). Reading validates the envelope so
 * a snapshot from an incompatible version is dropped, not restored into a broken machine.
 */

export const SNAPSHOT_KEY = "session-machine";

const PersistedEnvelope = z.object({
  machineVersion: z.literal(1),
  snapshot: z.looseObject({ status: z.string(), value: z.unknown(), context: z.looseObject({}) }),
});

export function snapshotRecord(snapshot: unknown, now = Date.now()) {
  return { key: SNAPSHOT_KEY, value: { machineVersion: 1 as const, snapshot }, updatedAt: now };
}

export async function loadSnapshot(db: Db): Promise<unknown | null> {
  const rec = await db.get("runtime", SNAPSHOT_KEY);
  const parsed = PersistedEnvelope.safeParse(rec?.value);
  return parsed.success ? parsed.data.snapshot : null;
}
