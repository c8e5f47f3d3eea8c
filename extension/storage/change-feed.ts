import { z } from "zod";

/**
 * Tells every extension page that stored data changed, so the side panel re-reads IndexedDB.
 * A BroadcastChannel reaches the side panel and options pages from the worker without waking
 * anything; messages are zod-checked on receipt and unknown ones ignored.
 */

export const CHANGE_CHANNEL = "sessions-db-changes";

export const DbChange = z.object({
  kind: z.enum(["session", "segment", "screenshot", "timeline", "settings"]),
  sessionId: z.string().optional(),
});
export type DbChange = z.infer<typeof DbChange>;

export function announceChange(change: DbChange): void {
  const ch = new BroadcastChannel(CHANGE_CHANNEL);
  ch.postMessage(change);
  ch.close();
}

export function onDbChange(listener: (change: DbChange) => void): () => void {
  const ch = new BroadcastChannel(CHANGE_CHANNEL);
  ch.onmessage = (ev: MessageEvent) => {
    const parsed = DbChange.safeParse(ev.data);
    if (parsed.success) listener(parsed.data);
  };
  return () => ch.close();
}
