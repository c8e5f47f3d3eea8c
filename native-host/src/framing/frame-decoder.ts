/**
 * Decodes Chrome's native messaging stream: 4-byte little-endian length, then that many bytes
 * of UTF-8 JSON. Guarantees: a header or body split across any number of reads is reassembled;
 * several frames in one chunk all come out, in order; lengths are bytes, not characters; a length
 * over the cap is reported before anything is allocated for it, and its bytes are skipped so the
 * stream stays in step; bad UTF-8 and bad JSON are reported per frame, never thrown.
 */
import { type ErrorCode, MAX_INBOUND_FRAME_BYTES } from "@sessions/shared";

export type DecodedFrame =
  | { kind: "message"; value: unknown; bytes: number }
  | { kind: "error"; code: ErrorCode; message: string; bytes: number };

const HEADER_BYTES = 4;
const utf8 = new TextDecoder("utf-8", { fatal: true });

export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Bytes of an oversized frame still to discard. */
  private skipping = 0;

  constructor(private readonly maxFrameBytes = MAX_INBOUND_FRAME_BYTES) {}

  /** Bytes received that do not yet form a whole frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  push(chunk: Uint8Array): DecodedFrame[] {
    const out: DecodedFrame[] = [];
    let buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.skipping > 0) {
      const drop = Math.min(this.skipping, buf.length);
      this.skipping -= drop;
      buf = buf.subarray(drop);
    }
    if (buf.length === 0) return out;
    this.chunks.push(buf);
    this.buffered += buf.length;
    this.drainFrames(out);
    return out;
  }

  /** Call at end of input: a partial frame left over is reported as truncated. */
  end(): DecodedFrame[] {
    if (this.buffered === 0 && this.skipping === 0) return [];
    const bytes = this.buffered;
    const skipped = this.skipping;
    this.chunks = [];
    this.buffered = 0;
    this.skipping = 0;
    return [
      {
        kind: "error",
        code: skipped > 0 ? "MESSAGE_TOO_LARGE" : "BAD_REQUEST",
        message:
          skipped > 0
            ? `input ended ${skipped} bytes before the end of an oversized frame`
            : `input ended inside a frame (${bytes} bytes of it received)`,
        bytes,
      },
    ];
  }

  private drainFrames(out: DecodedFrame[]): void {
    for (;;) {
      if (this.buffered < HEADER_BYTES) return;
      const length = this.peekLength();
      if (length > this.maxFrameBytes) {
        this.consume(HEADER_BYTES);
        out.push({
          kind: "error",
          code: "MESSAGE_TOO_LARGE",
          message: `frame of ${length} bytes exceeds the ${this.maxFrameBytes}-byte limit`,
          bytes: length,
        });
        const drop = Math.min(length, this.buffered);
        this.consume(drop);
        this.skipping = length - drop;
        if (this.skipping > 0) return;
        continue;
      }
      if (this.buffered < HEADER_BYTES + length) return;
      this.consume(HEADER_BYTES);
      out.push(parseBody(this.consume(length)));
    }
  }

  private peekLength(): number {
    const first = this.chunks[0] as Buffer;
    if (first.length >= HEADER_BYTES) return first.readUInt32LE(0);
    const header = Buffer.alloc(HEADER_BYTES);
    let filled = 0;
    for (const c of this.chunks) {
      filled += c.copy(header, filled, 0, Math.min(c.length, HEADER_BYTES - filled));
      if (filled === HEADER_BYTES) break;
    }
    return header.readUInt32LE(0);
  }

  /** Removes and returns the next n buffered bytes, copying only when they span chunks. */
  private consume(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[0];
    if (first && first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0] as Buffer;
      const take = Math.min(c.length, n - filled);
      c.copy(out, filled, 0, take);
      filled += take;
      if (take === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(take);
    }
    return out;
  }
}

function parseBody(body: Buffer): DecodedFrame {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return { kind: "error", code: "MALFORMED_JSON", message: "frame is not valid UTF-8", bytes: body.length };
  }
  try {
    return { kind: "message", value: JSON.parse(text), bytes: body.length };
  } catch (e) {
    return {
      kind: "error",
      code: "MALFORMED_JSON",
      message: `frame is not JSON: ${(e as Error).message.slice(0, 200)}`,
      bytes: body.length,
    };
  }
}
