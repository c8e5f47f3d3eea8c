import { z } from "zod";

/**
 * Every error any component reports, by one name. Append-only: a code, once released,
 * keeps its meaning forever (the Rust and Swift children spell the same strings).
 */
export const ERROR_CODES = [
  "BAD_REQUEST",
  "MALFORMED_JSON",
  "UNKNOWN_TYPE",
  "MESSAGE_TOO_LARGE",
  "UNSUPPORTED_PROTOCOL",
  "FORBIDDEN_ORIGIN",
  "NOT_FOUND",
  "PERMISSION_DENIED",
  "SOURCE_UNAVAILABLE",
  "INVALID_STATE",
  "BUSY",
  "TIMEOUT",
  "CHILD_CRASHED",
  "DISK_FULL",
  "QUOTA_EXCEEDED",
  "CHECKSUM_MISMATCH",
  "HOST_NOT_FOUND",
  "HOST_FORBIDDEN",
  "HOST_DISCONNECTED",
  "POLICY_FORBIDDEN",
  "ENCODER_FAILED",
  "INTERNAL",
] as const;

export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** Codes a caller may retry after a while; everything else is final for that request. */
export const RETRYABLE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "BUSY",
  "TIMEOUT",
  "CHILD_CRASHED",
  "HOST_DISCONNECTED",
  "SOURCE_UNAVAILABLE",
]);

export function isRetryable(code: ErrorCode): boolean {
  return RETRYABLE_CODES.has(code);
}
