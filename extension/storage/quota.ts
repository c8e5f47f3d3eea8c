/**
 * Storage quota: ask for persistent storage once, and check the estimate before every large write
 * so that running out is seen coming (QUOTA_EXCEEDED, a clean stop) instead of failing mid-commit.
 * A commit that still hits the browser's QuotaExceededError is recognised by `isQuotaError`.
 */

export interface StorageManagerLike {
  estimate(): Promise<{ usage?: number; quota?: number }>;
  persist?(): Promise<boolean>;
  persisted?(): Promise<boolean>;
}

/** Headroom kept free beyond the write itself: the next segments and the session's own records. */
export const QUOTA_MARGIN_BYTES = 64 * 1024 * 1024;

export class QuotaExceededError extends Error {
  readonly code = "QUOTA_EXCEEDED" as const;
  constructor(
    readonly needed: number,
    readonly available: number,
  ) {
    super(`storage quota: need ${needed} bytes (+ margin), ${available} available`);
  }
}

export async function ensurePersistentStorage(storage: StorageManagerLike | undefined): Promise<boolean> {
  if (!storage?.persist) return false;
  if (await storage.persisted?.()) return true;
  return storage.persist();
}

/** Throws QuotaExceededError when `bytes` plus the margin would not fit. */
export async function assertQuotaFor(
  storage: StorageManagerLike | undefined,
  bytes: number,
  margin = QUOTA_MARGIN_BYTES,
): Promise<void> {
  if (!storage) return;
  const { usage = 0, quota } = await storage.estimate();
  if (quota === undefined) return;
  const available = quota - usage;
  if (bytes + margin > available) throw new QuotaExceededError(bytes, available);
}

export function isQuotaError(err: unknown): boolean {
  if (err instanceof QuotaExceededError) return true;
  const name = (err as { name?: unknown } | null)?.name;
  return name === "QuotaExceededError";
}
