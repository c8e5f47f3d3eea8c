/** An error a handler throws to answer a request with a coded `error` reply. */
import type { ErrorCode } from "@sessions/shared";

export class HostError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}
