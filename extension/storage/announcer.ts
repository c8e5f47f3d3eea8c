import { announceChange, type DbChange } from "./change-feed";

/**
 * Throttled change announcements: at most one per (kind, session) every `intervalMs`, with the
 * last one always delivered, so a burst of commits costs the side panel one re-read, not hundreds.
 */

export function createAnnouncer(intervalMs = 250, post: (c: DbChange) => void = announceChange) {
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const lastSent = new Map<string, number>();
  return (change: DbChange) => {
    const key = `${change.kind}/${change.sessionId ?? ""}`;
    if (timers.has(key)) return;
    const wait = Math.max(0, (lastSent.get(key) ?? 0) + intervalMs - Date.now());
    if (wait === 0) {
      lastSent.set(key, Date.now());
      post(change);
      return;
    }
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        lastSent.set(key, Date.now());
        post(change);
      }, wait),
    );
  };
}
