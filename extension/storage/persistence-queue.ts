/**
 * PersistenceQueue: the one path by which the background writes to IndexedDB, replacing debounced
 * saves. Guarantees:
 * - writes run one at a time, in order: every critical write before any pending normal or low one,
 *   FIFO within a priority;
 * - critical writes start at once; normal ones are batched (`batchMs`); low ones wait until the
 *   queue has been quiet for `idleMs`;
 * - writes are keyed: a pending write replaced by a newer one with the same key runs once, with the
 *   newer body (so every write must be idempotent: "set X to V", never "add 1");
 * - `flush()` runs everything pending now (on stop, before the worker suspends);
 * - a failing write rejects its own promise and is reported to `onError`; it never stalls the queue.
 */

export type Priority = "critical" | "normal" | "low";
export const PRIORITIES: readonly Priority[] = ["critical", "normal", "low"];

export interface Write {
  key: string;
  priority: Priority;
  run: () => Promise<unknown>;
}

export interface QueueOptions {
  batchMs?: number;
  idleMs?: number;
  onError?: (key: string, err: unknown) => void;
  schedule?: (fn: () => void, ms: number) => () => void;
}

interface Pending extends Write {
  waiters: { resolve: () => void; reject: (e: unknown) => void }[];
}

export interface QueueStats {
  pending: Record<Priority, number>;
  executed: number;
  coalesced: number;
  failed: number;
}

export class PersistenceQueue {
  private readonly lanes: Record<Priority, Map<string, Pending>> = {
    critical: new Map(),
    normal: new Map(),
    low: new Map(),
  };
  private draining: Promise<void> | null = null;
  private normalTimer: (() => void) | null = null;
  private idleTimer: (() => void) | null = null;
  private readonly batchMs: number;
  private readonly idleMs: number;
  private readonly schedule: (fn: () => void, ms: number) => () => void;
  private readonly onError: (key: string, err: unknown) => void;
  private readonly counters = { executed: 0, coalesced: 0, failed: 0 };
  /** Which lanes the current drain may take from (normal/low only once their timer fired or on flush). */
  private readonly released: Record<Priority, boolean> = { critical: true, normal: false, low: false };

  constructor(opts: QueueOptions = {}) {
    this.batchMs = opts.batchMs ?? 250;
    this.idleMs = opts.idleMs ?? 1_000;
    this.onError = opts.onError ?? (() => undefined);
    this.schedule =
      opts.schedule ??
      ((fn, ms) => {
        const t = setTimeout(fn, ms);
        return () => clearTimeout(t);
      });
  }

  enqueue(write: Write): Promise<void> {
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject };
      // A newer write supersedes any pending one with the same key, whatever its priority; it
      // keeps the higher of the two priorities so a critical save is never demoted.
      let waiters = [waiter];
      let priority = write.priority;
      for (const p of PRIORITIES) {
        const old = this.lanes[p].get(write.key);
        if (!old) continue;
        this.lanes[p].delete(write.key);
        this.counters.coalesced++;
        waiters = [...old.waiters, waiter];
        if (PRIORITIES.indexOf(p) < PRIORITIES.indexOf(priority)) priority = p;
      }
      this.lanes[priority].set(write.key, { ...write, priority, waiters });
      this.kick(priority);
    });
  }

  /** Runs every pending write now, in priority order; resolves when the queue is empty. */
  async flush(): Promise<void> {
    this.cancelTimers();
    this.released.normal = true;
    this.released.low = true;
    while (this.size() > 0 || this.draining) {
      await this.drain();
    }
    this.released.normal = false;
    this.released.low = false;
  }

  size(): number {
    return this.lanes.critical.size + this.lanes.normal.size + this.lanes.low.size;
  }

  stats(): QueueStats {
    return {
      pending: { critical: this.lanes.critical.size, normal: this.lanes.normal.size, low: this.lanes.low.size },
      ...this.counters,
    };
  }

  private kick(priority: Priority): void {
    if (priority === "critical") {
      void this.drain();
    } else if (priority === "normal") {
      this.normalTimer ??= this.schedule(() => {
        this.normalTimer = null;
        this.released.normal = true;
        void this.drain().then(() => {
          if (this.lanes.normal.size === 0) this.released.normal = false;
        });
      }, this.batchMs);
    }
    this.armIdle();
  }

  /** Low writes run once nothing else has been enqueued for idleMs. */
  private armIdle(): void {
    this.idleTimer?.();
    this.idleTimer = this.schedule(() => {
      this.idleTimer = null;
      if (this.lanes.critical.size + this.lanes.normal.size > 0 || this.draining) return this.armIdle();
      this.released.low = true;
      void this.drain().then(() => {
        this.released.low = false;
      });
    }, this.idleMs);
  }

  private drain(): Promise<void> {
    this.draining ??= this.runLoop().finally(() => {
      this.draining = null;
    });
    return this.draining;
  }

  private async runLoop(): Promise<void> {
    for (;;) {
      const next = this.takeNext();
      if (!next) return;
      try {
        await next.run();
        this.counters.executed++;
        for (const w of next.waiters) w.resolve();
      } catch (err) {
        this.counters.failed++;
        this.onError(next.key, err);
        for (const w of next.waiters) w.reject(err);
      }
    }
  }

  private takeNext(): Pending | undefined {
    for (const p of PRIORITIES) {
      if (!this.released[p]) continue;
      const first = this.lanes[p].values().next();
      if (!first.done) {
        this.lanes[p].delete(first.value.key);
        return first.value;
      }
    }
    return undefined;
  }

  private cancelTimers(): void {
    this.normalTimer?.();
    this.normalTimer = null;
    this.idleTimer?.();
    this.idleTimer = null;
  }
}
