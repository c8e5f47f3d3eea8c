/**
 * Encodes one message as a native messaging frame. Guarantee: never produces a frame over the
 * outbound cap (Chrome closes the port on one); a bigger payload is the caller's bug and throws,
 * because media is split into parts before it gets here.
 */
import { MAX_OUTBOUND_FRAME_BYTES } from "@sessions/shared/constants";

export class FrameTooLargeError extends Error {
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`outbound frame of ${bytes} bytes exceeds the ${limit}-byte limit`);
  }
}

export function encodeFrame(message: unknown, maxBytes = MAX_OUTBOUND_FRAME_BYTES): Buffer {
  const json = JSON.stringify(message);
  const length = Buffer.byteLength(json, "utf8");
  if (length > maxBytes) throw new FrameTooLargeError(length, maxBytes);
  const frame = Buffer.allocUnsafe(4 + length);
  frame.writeUInt32LE(length, 0);
  frame.write(json, 4, "utf8");
  return frame;
}
