import type { StorageManagerLike } from "../storage/quota";

/**
 * The storage cap as a storage manager: its estimate is the tighter of the browser's own quota
 * and the policy's cap (measured as the recorded bytes the database counts). Handed to the media
 * sink in place of navigator.storage, so reaching the cap takes the existing QUOTA_EXCEEDED path
 * — a clean stop with everything committed kept — instead of a second mechanism.
 */

export interface CapSource {
  /** The cap in bytes right now, or undefined when no cap is set (policy can change live). */
  capBytes(): number | undefined;
  usedBytes(): Promise<number>;
}

export function cappedStorage(inner: StorageManagerLike | undefined, cap: CapSource): StorageManagerLike {
  return {
    async estimate() {
      const real = inner ? await inner.estimate() : {};
      const limit = cap.capBytes();
      if (limit === undefined) return real;
      const used = await cap.usedBytes();
      const realAvailable = real.quota === undefined ? Number.POSITIVE_INFINITY : real.quota - (real.usage ?? 0);
      return limit - used < realAvailable ? { usage: used, quota: limit } : real;
    },
    ...(inner?.persist ? { persist: () => (inner.persist as () => Promise<boolean>).call(inner) } : {}),
    ...(inner?.persisted ? { persisted: () => (inner.persisted as () => Promise<boolean>).call(inner) } : {}),
  };
}
