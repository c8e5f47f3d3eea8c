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

  resendAll(): number {
    const items = [...this.unacked.values()];
    for (const item of items) this.transmit(item);
    return items.length;
  }

  private transmit(item: SpoolItem): void {
    const data = fs.readFileSync(item.path);
    const sha256 = createHash("sha256").update(data).digest("hex");
    const parts = Math.max(1, Math.ceil(data.length / MEDIA_PART_BYTES));
    for (let part = 0; part < parts; part++) {
      const chunk = data.subarray(part * MEDIA_PART_BYTES, (part + 1) * MEDIA_PART_BYTES).toString("base64");
      const common = {
        sessionId: item.sessionId,
        seq: item.seq,
        part,
        parts,
        mime: item.mime,
        sha256,
        bytes: data.length,
        data: chunk,
      };
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
    this.bytesSent += data.length;
  }
}
