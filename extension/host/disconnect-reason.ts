import type { ErrorCode } from "@sessions/shared";

/**
 * Turns Chrome's disconnect message into a coded reason. Permanent reasons (no host installed,
 * host forbids this extension) end the session at once; anything else is treated as transient and
 * retried with backoff. Chrome's wording is matched loosely (it has changed between versions).
 */

export interface DisconnectReason {
  code: ErrorCode;
  message: string;
  permanent: boolean;
}

export function classifyDisconnect(error: string | undefined): DisconnectReason {
  const message = error ?? "native host closed the port";
  const m = message.toLowerCase();
  if (m.includes("not found") || m.includes("invalid native messaging host name")) {
    return { code: "HOST_NOT_FOUND", message, permanent: true };
  }
  if (m.includes("forbidden")) return { code: "HOST_FORBIDDEN", message, permanent: true };
  return { code: "HOST_DISCONNECTED", message, permanent: false };
}

/** Delay before reconnect attempt `attempt` (1-based); null once attempts are exhausted. */
export function backoffDelay(attempt: number, delays: readonly number[] = RECONNECT_DELAYS_MS): number | null {
  return attempt >= 1 && attempt <= delays.length ? (delays[attempt - 1] ?? null) : null;
}

export const RECONNECT_DELAYS_MS = [250, 500, 1_000, 2_000, 4_000, 8_000] as const;
