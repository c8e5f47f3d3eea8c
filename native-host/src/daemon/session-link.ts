/**
 * The session's line to the extension, which outlives any one connection. A connection attaches
 * when it speaks about sessions (start, status, resend, ack, commands); what the session emits
 * goes to that connection. While none is attached, media and health are dropped (media stays
 * unacknowledged in the outbox and is sent again on `segments.resend`; health is only ever the
 * latest) and every other event — state changes, timeline, sync, errors — is kept, up to a bound,
 * and delivered in order to the next connection that attaches, so the session's record has no
 * hole where the extension was away. If media was dropped, `resendMedia` runs on attach before the
 * held events: the extension then sees every segment before a held `stopped`, the order a live
 * connection has, and does not finalize ahead of the media.
 */
import type { HostMessage } from "@sessions/shared";
import type { Logger } from "../log/logger";

export interface LinkEnd {
  send(message: HostMessage): void;
  queueDepth(): number;
}

const MAX_HELD = 5_000;
const DROPPED_WHILE_DETACHED = new Set(["segment", "screenshot", "health"]);

export class SessionLink {
  private end: LinkEnd | null = null;
  private held: HostMessage[] = [];
  private lost = 0;
  private droppedMedia = false;
  /** Offers every unacknowledged item again (the outbox's resendAll). */
  resendMedia: () => void = () => undefined;

  constructor(private readonly logger: Logger) {}

  get attached(): boolean {
    return this.end !== null;
  }

  /** Makes `end` the session's connection and hands it everything held meanwhile. */
  attach(end: LinkEnd): void {
    if (this.end === end) return;
    this.end = end;
    const held = this.held;
    this.held = [];
    if (this.lost > 0) this.logger.warn("events lost while no extension was attached", { lost: this.lost });
    this.lost = 0;
    if (this.droppedMedia) {
      this.droppedMedia = false;
      this.resendMedia();
    }
    for (const m of held) end.send(m);
  }

  detach(end: LinkEnd): void {
    if (this.end !== end) return;
    this.end = null;
  }

  send = (message: HostMessage): void => {
    if (this.end) {
      this.end.send(message);
      return;
    }
    if (DROPPED_WHILE_DETACHED.has(message.type)) {
      if (message.type !== "health") this.droppedMedia = true;
      return;
    }
    if (this.held.length >= MAX_HELD) {
      this.held.shift();
      this.lost++;
    }
    this.held.push(message);
  };

  queueDepth = (): number => this.end?.queueDepth() ?? 0;
}
