import type { ScreenshotMessage, SegmentEvent } from "@sessions/shared";

/**
 * Joins the parts of one media item (a segment or a screenshot) sent by the host, in order, and
 * verifies the sha256 of the whole. Guarantees: an item is returned only when every part arrived
 * and the digest matches; a part out of order, a wrong byte count or a digest mismatch discards
 * the item and reports CHECKSUM_MISMATCH (the host still holds it and resends it unacknowledged).
 * Parts live in memory only: after a worker restart the host's resend fills them in again.
 */

export type MediaPart = SegmentEvent | ScreenshotMessage;

export type Assembled<M extends MediaPart> =
  | { status: "partial" }
  | { status: "complete"; head: M; bytes: Uint8Array<ArrayBuffer> }
  | { status: "corrupt"; code: "CHECKSUM_MISMATCH"; message: string; head: M };

interface Inflight {
  head: MediaPart;
  chunks: Uint8Array<ArrayBuffer>[];
  received: number;
}

export function mediaKey(m: MediaPart): string {
  const track = m.type === "segment" ? m.track : "screenshot";
  return `${m.sessionId}/${track}/${m.seq}`;
}

export class Reassembler {
  private readonly inflight = new Map<string, Inflight>();

  async accept<M extends MediaPart>(part: M): Promise<Assembled<M>> {
    const key = mediaKey(part);
    let item = this.inflight.get(key);
    if (part.part === 0) {
      item = { head: part, chunks: [], received: 0 };
      this.inflight.set(key, item);
    }
    if (!item || part.part !== item.chunks.length || part.parts !== item.head.parts) {
      this.inflight.delete(key);
      return corrupt(part, `part ${part.part}/${part.parts} of ${key} out of order`);
    }
    const chunk = decodeBase64(part.data);
    item.chunks.push(chunk);
    item.received += chunk.byteLength;
    if (item.chunks.length < part.parts) return { status: "partial" };
    this.inflight.delete(key);
    const head = item.head as M;
    if (item.received !== head.bytes) {
      return corrupt(head, `${key}: ${item.received} bytes received, ${head.bytes} announced`);
    }
    const bytes =
      item.chunks.length === 1 ? (item.chunks[0] as Uint8Array<ArrayBuffer>) : concat(item.chunks, item.received);
    if (item.chunks.length > 1) for (const c of item.chunks) releaseNow(c);
    const digest = await sha256Hex(bytes);
    if (digest !== head.sha256) return corrupt(head, `${key}: sha256 ${digest} differs from ${head.sha256}`);
    return { status: "complete", head, bytes };
  }

  pendingCount(): number {
    return this.inflight.size;
  }
}

function corrupt<M extends MediaPart>(head: M, message: string): Assembled<M> {
  return { status: "corrupt", code: "CHECKSUM_MISMATCH", message, head };
}

/** Native in Chrome ≥ 140 (several times faster than atob + a copy loop); the loop stays for older ones. */
const fromBase64 = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array<ArrayBuffer> }).fromBase64;

export function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  if (fromBase64) return fromBase64(b64);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * Frees a buffer's memory at once instead of at the worker's next garbage collection, which is
 * rare while it idles between segments: otherwise the last few segments' bytes stay resident
 * (~5 MB measured). The caller must hold no other view of it; where `transfer` is missing, a no-op.
 */
export function releaseNow(bytes: Uint8Array): void {
  (bytes.buffer as ArrayBuffer & { transfer?: (length: number) => ArrayBuffer }).transfer?.(0);
}

export function encodeBase64(bytes: Uint8Array): string {
  let bin = "";
  const step = 0x8000;
  for (let i = 0; i < bytes.length; i += step) bin += String.fromCharCode(...bytes.subarray(i, i + step));
  return btoa(bin);
}

function concat(chunks: Uint8Array[], total: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
