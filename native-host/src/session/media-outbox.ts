/**
 * Sends spooled media to the extension in parts (≤ MEDIA_PART_BYTES each, base64, with the
 * sha256 of the whole item) and forgets an item only when the extension acknowledges it.
 * Sending again (after a reconnect) is always safe: the extension commits by (session, track, seq).
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import { type HostMessage, MEDIA_PART_BYTES } from "@sessions/shared";
import type { Spool, SpoolItem } from "./spool";

const key = (sessionId: string, kind: string, seq: number) => `${sessionId}/${kind}/${seq}`;

export class MediaOutbox {
  private readonly unacked = new Map<string, SpoolItem>();
  private readonly buffer = Buffer.allocUnsafe(MEDIA_PART_BYTES);
  bytesSent = 0;

  constructor(
    private readonly spool: Spool,
    private readonly send: (m: HostMessage) => void,
  ) {
    for (const item of spool.scan()) this.unacked.set(key(item.sessionId, item.kind, item.seq), item);
  }

  get size(): number {
    return this.unacked.size;
  }

  /** Takes a new item into the spool and sends it. */
  offer(item: SpoolItem): void {
    this.spool.record(item);
    this.unacked.set(key(item.sessionId, item.kind, item.seq), item);
    this.transmit(item);
  }

  ack(sessionId: string, kind: string, seq: number): boolean {
    const k = key(sessionId, kind, seq);
    const item = this.unacked.get(k);
    if (!item) return false;
    this.unacked.delete(k);
    this.spool.remove(item);
    return true;
  }

  /**
   * Offers every unacknowledged item again. One whose file is gone (another daemon, handing over,
   * saw it acknowledged) is forgotten instead.
   */
  resendAll(): number {
    let sent = 0;
    for (const [k, item] of [...this.unacked]) {
      if (!fs.existsSync(item.path)) {
        this.unacked.delete(k);
        continue;
      }
      this.transmit(item);
      sent++;
    }
    return sent;
  }

  /**
   * Streams the item from its file: one pass for the checksum, one to send, through a single
   * part-sized buffer, so sending a segment never holds the whole file in the heap.
   */
  private transmit(item: SpoolItem): void {
    const fd = fs.openSync(item.path, "r");
    try {
      const size = fs.fstatSync(fd).size;
      const hash = createHash("sha256");
      for (let at = 0; at < size; ) {
        const n = fs.readSync(fd, this.buffer, 0, this.buffer.length, at);
        if (n === 0) break;
        hash.update(this.buffer.subarray(0, n));
        at += n;
      }
      const sha256 = hash.digest("hex");
      const parts = Math.max(1, Math.ceil(size / MEDIA_PART_BYTES));
      for (let part = 0; part < parts; part++) {
        const n = fs.readSync(fd, this.buffer, 0, MEDIA_PART_BYTES, part * MEDIA_PART_BYTES);
        this.sendPart(item, { part, parts, sha256, bytes: size, data: this.buffer.toString("base64", 0, n) });
      }
      this.bytesSent += size;
    } finally {
      fs.closeSync(fd);
    }
  }

  private sendPart(
    item: SpoolItem,
    p: { part: number; parts: number; sha256: string; bytes: number; data: string },
  ): void {
    const common = { sessionId: item.sessionId, seq: item.seq, mime: item.mime, ...p };
    if (item.kind === "screenshot")
      this.send({
        type: "screenshot",
        ...common,
        ts: item.startUs,
        width: item.width ?? 1,
        height: item.height ?? 1,
        phash: item.phash ?? "0000000000000000",
      });
    else
      this.send({
        type: "segment",
        ...common,
        track: item.kind,
        startUs: item.startUs,
        endUs: item.endUs,
        units: item.units,
      });
  }
}
