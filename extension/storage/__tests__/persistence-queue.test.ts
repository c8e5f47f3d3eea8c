import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PersistenceQueue, type Priority } from "../persistence-queue";

function recorder() {
  const log: string[] = [];
  const write = (key: string, priority: Priority, label = key) => ({
    key,
    priority,
    run: async () => {
      log.push(label);
    },
  });
  return { log, write };
}

describe("PersistenceQueue", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("runs a critical write at once, without waiting for the batch timer", async () => {
    const q = new PersistenceQueue({ batchMs: 250, idleMs: 1000 });
    const { log, write } = recorder();
    const done = q.enqueue(write("c", "critical"));
    await vi.advanceTimersByTimeAsync(0);
    await done;
    expect(log).toEqual(["c"]);
  });

  it("batches normal writes until batchMs and keeps their order", async () => {
    const q = new PersistenceQueue({ batchMs: 250, idleMs: 10_000 });
    const { log, write } = recorder();
    void q.enqueue(write("n1", "normal"));
    void q.enqueue(write("n2", "normal"));
    await vi.advanceTimersByTimeAsync(249);
    expect(log).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(log).toEqual(["n1", "n2"]);
  });

  it("holds low writes until the queue has been idle for idleMs", async () => {
    const q = new PersistenceQueue({ batchMs: 100, idleMs: 500 });
    const { log, write } = recorder();
    void q.enqueue(write("l1", "low"));
    await vi.advanceTimersByTimeAsync(400);
    void q.enqueue(write("n1", "normal")); // activity: the idle clock restarts
    await vi.advanceTimersByTimeAsync(400);
    expect(log).toEqual(["n1"]);
    await vi.advanceTimersByTimeAsync(100);
    expect(log).toEqual(["n1", "l1"]);
  });

  it("runs pending writes by priority: critical before normal before low, FIFO within each", async () => {
    const q = new PersistenceQueue({ batchMs: 100, idleMs: 100 });
    const { log, write } = recorder();
    for (const [k, p] of [
      ["l1", "low"],
      ["n1", "normal"],
      ["l2", "low"],
      ["n2", "normal"],
    ] as const)
      void q.enqueue(write(k, p));
    void q.enqueue(write("c1", "critical"));
    void q.enqueue(write("c2", "critical"));
    await q.flush();
    expect(log).toEqual(["c1", "c2", "n1", "n2", "l1", "l2"]);
  });

  it("a critical write overtakes normal writes waiting in the batch", async () => {
    const q = new PersistenceQueue({ batchMs: 1000, idleMs: 5000 });
    const { log, write } = recorder();
    void q.enqueue(write("n1", "normal"));
    await q.enqueue(write("c1", "critical"));
    expect(log).toEqual(["c1"]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(log).toEqual(["c1", "n1"]);
  });

  it("coalesces writes with the same key: the newest body runs once, at the higher priority", async () => {
    const q = new PersistenceQueue({ batchMs: 1000, idleMs: 5000 });
    const { log, write } = recorder();
    const a = q.enqueue(write("snap", "normal", "snap-v1"));
    const b = q.enqueue(write("snap", "normal", "snap-v2"));
    const c = q.enqueue(write("snap", "critical", "snap-v3"));
    await Promise.all([a, b, c]);
    expect(log).toEqual(["snap-v3"]);
    expect(q.stats()).toMatchObject({ executed: 1, coalesced: 2 });
  });

  it("flush runs everything pending, including low, and resolves when empty", async () => {
    const q = new PersistenceQueue({ batchMs: 10_000, idleMs: 10_000 });
    const { log, write } = recorder();
    void q.enqueue(write("l", "low"));
    void q.enqueue(write("n", "normal"));
    await q.flush();
    expect(log).toEqual(["n", "l"]);
    expect(q.size()).toBe(0);
  });

  it("a failing write rejects its own promise, is reported, and does not stall the rest", async () => {
    const errors: string[] = [];
    const q = new PersistenceQueue({ onError: (k) => errors.push(k) });
    const { log, write } = recorder();
    const bad = q.enqueue({ key: "bad", priority: "critical", run: () => Promise.reject(new Error("boom")) });
    const good = q.enqueue(write("good", "critical"));
    await expect(bad).rejects.toThrow("boom");
    await good;
    expect(log).toEqual(["good"]);
    expect(errors).toEqual(["bad"]);
    expect(q.stats().failed).toBe(1);
  });

  it("never runs two writes at the same time", async () => {
    const q = new PersistenceQueue({ batchMs: 10, idleMs: 20 });
    let running = 0;
    let maxRunning = 0;
    const slow = (key: string, priority: Priority) => ({
      key,
      priority,
      run: async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
      },
    });
    const all = ["critical", "normal", "low", "critical", "normal"].map((p, i) =>
      q.enqueue(slow(`k${i}`, p as Priority)),
    );
    await vi.advanceTimersByTimeAsync(500);
    await Promise.all(all);
    expect(maxRunning).toBe(1);
  });
});
