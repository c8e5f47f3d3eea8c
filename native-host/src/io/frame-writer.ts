/**
 * The only path to stdout. Frames are written in order through one queue that waits for
 * 'drain' when the pipe is full (so a slow browser slows us down instead of growing memory
 * without bound), and `flush()` resolves once everything queued has been handed to the OS.
 */
import type { Writable } from "node:stream";

export class FrameWriter {
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  private writing = false;
  /** Writes handed to the stream whose callback has not fired yet (not yet with the OS). */
  private inFlight = 0;
  private idle: Array<() => void> = [];
  private failed: Error | null = null;

  constructor(
    private readonly out: Writable,
    private readonly write: (chunk: Buffer, cb: (err?: Error | null) => void) => boolean,
  ) {
    out.on("error", (err) => {
      this.failed = err;
      this.queue = [];
      this.queuedBytes = 0;
      this.wakeIdle();
    });
  }

  get depth(): number {
    return this.queue.length;
  }

  get bytesQueued(): number {
    return this.queuedBytes;
  }

  send(frame: Buffer): void {
    if (this.failed) return;
    this.queue.push(frame);
    this.queuedBytes += frame.length;
    if (!this.writing) this.pump();
  }

  /** Resolves when every queued frame has been written (or the pipe broke). */
  flush(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private pump(): void {
    this.writing = true;
    while (this.queue.length > 0 && !this.failed) {
      const frame = this.queue.shift() as Buffer;
      this.queuedBytes -= frame.length;
      this.inFlight++;
      const ok = this.write(frame, () => {
        this.inFlight--;
        if (this.isIdle()) this.wakeIdle();
      });
      if (!ok) {
        this.out.once("drain", () => this.pump());
        return;
      }
    }
    this.writing = false;
    if (this.isIdle()) this.wakeIdle();
  }

  private isIdle(): boolean {
    return this.failed !== null || (!this.writing && this.queue.length === 0 && this.inFlight === 0);
  }

  private wakeIdle(): void {
    const waiters = this.idle;
    this.idle = [];
    for (const w of waiters) w();
  }
}
