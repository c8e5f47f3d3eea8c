import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { HostMessage } from "@sessions/shared";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FrameSplitter } from "../../framing/frame-splitter";
import { Logger } from "../../log/logger";
import { acquireInstanceLock, releaseInstanceLock } from "../instance-lock";
import { DaemonLifetime, type LifetimeFacts } from "../lifetime";
import { ensurePrivateDir, RuntimeDirError } from "../runtime-dir";
import { SessionLink } from "../session-link";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "sessions-daemon-test-"));

describe("DaemonLifetime", () => {
  const limits = { orphanGraceMs: 1000, idleExitMs: 500 };
  const recording: LifetimeFacts = {
    connections: 0,
    attached: false,
    session: { sessionId: "s", stoppable: true },
  };

  it("stops a session left without an extension once, after the grace, and not before", () => {
    const l = new DaemonLifetime(limits);
    expect(l.tick(0, recording)).toBeNull();
    expect(l.tick(999, recording)).toBeNull();
    expect(l.tick(1000, recording)).toEqual({ kind: "stop-orphan", sessionId: "s" });
    expect(l.tick(1500, recording)).toBeNull();
  });

  it("an extension that attaches within the grace resets it", () => {
    const l = new DaemonLifetime(limits);
    l.tick(0, recording);
    expect(l.tick(900, { ...recording, connections: 1, attached: true })).toBeNull();
    expect(l.tick(1200, recording)).toBeNull();
    expect(l.tick(2199, recording)).toBeNull();
    expect(l.tick(2200, recording)).toMatchObject({ kind: "stop-orphan" });
  });

  it("waits for a starting or stopping session to become stoppable", () => {
    const l = new DaemonLifetime(limits);
    const starting = { ...recording, session: { sessionId: "s", stoppable: false } };
    l.tick(0, starting);
    expect(l.tick(5000, starting)).toBeNull();
    expect(l.tick(5001, recording)).toMatchObject({ kind: "stop-orphan" });
  });

  it("exits when idle (no session, no connection) for idleExitMs; a connection or session keeps it", () => {
    const l = new DaemonLifetime(limits);
    const idle: LifetimeFacts = { connections: 0, attached: false, session: null };
    expect(l.tick(0, idle)).toBeNull();
    expect(l.tick(400, { ...idle, connections: 1 })).toBeNull();
    expect(l.tick(500, idle)).toBeNull();
    expect(l.tick(999, idle)).toBeNull();
    expect(l.tick(1000, idle)).toEqual({ kind: "exit" });
    expect(new DaemonLifetime(limits).tick(10_000, recording)).toBeNull();
  });
});

describe("SessionLink", () => {
  const state = (ts: number): HostMessage => ({ type: "session.state", sessionId: "s", state: "recording", ts });
  const health = { type: "health", sessionId: "s", ts: 1 } as unknown as HostMessage;
  const part = { type: "segment", sessionId: "s" } as unknown as HostMessage;

  it("sends to the attached end; while detached holds events in order and drops media and health", () => {
    const link = new SessionLink(new Logger(null));
    const a: HostMessage[] = [];
    const b: HostMessage[] = [];
    const endA = { send: (m: HostMessage) => a.push(m), queueDepth: () => 3 };
    const endB = { send: (m: HostMessage) => b.push(m), queueDepth: () => 0 };
    link.attach(endA);
    link.send(state(1));
    expect(link.queueDepth()).toBe(3);
    link.detach(endB); // not the attached one: no effect
    expect(link.attached).toBe(true);
    link.detach(endA);
    link.send(state(2));
    link.send(health);
    link.send(part);
    link.send(state(3));
    expect(link.queueDepth()).toBe(0);
    link.attach(endB);
    expect(a).toEqual([state(1)]);
    expect(b).toEqual([state(2), state(3)]);
  });

  it("after dropping media, offers it again on attach before the held events (a held stop comes last)", () => {
    const link = new SessionLink(new Logger(null));
    const got: string[] = [];
    link.resendMedia = () => link.send(part);
    link.send(part);
    link.send({ type: "session.state", sessionId: "s", state: "stopped", ts: 9 });
    link.attach({ send: (m) => got.push(m.type === "session.state" ? m.state : m.type), queueDepth: () => 0 });
    expect(got).toEqual(["segment", "stopped"]);
    // Nothing dropped since: a second attach resends nothing.
    const again: string[] = [];
    link.detach({ send: () => undefined, queueDepth: () => 0 });
    link.attach({ send: (m) => again.push(m.type), queueDepth: () => 0 });
    expect(again).toEqual([]);
  });

  it("holds a bounded number of events, keeping the newest", () => {
    const link = new SessionLink(new Logger(null));
    for (let i = 0; i < 6000; i++) link.send(state(i));
    const got: HostMessage[] = [];
    link.attach({ send: (m) => got.push(m), queueDepth: () => 0 });
    expect(got.length).toBe(5000);
    expect(got[0]).toEqual(state(1000));
    expect(got.at(-1)).toEqual(state(5999));
  });
});

describe("FrameSplitter", () => {
  const frame = (n: number, fill: number) => {
    const b = Buffer.alloc(4 + n, fill);
    b.writeUInt32LE(n, 0);
    return b;
  };

  it("passes whole frames on however the stream is cut, and never a torn one", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 50 }),
        (sizes, cuts) => {
          const frames = sizes.map((n, i) => frame(n, i % 251));
          const stream = Buffer.concat(frames);
          const splitter = new FrameSplitter();
          const out: Buffer[] = [];
          let at = 0;
          for (let i = 0; at < stream.length; i++) {
            const step = cuts[i % cuts.length] as number;
            out.push(...splitter.push(stream.subarray(at, at + step)));
            at += step;
          }
          expect(out.map((b) => b.toString("hex"))).toEqual(frames.map((b) => b.toString("hex")));
          expect(splitter.pending).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("keeps an incomplete tail pending", () => {
    const s = new FrameSplitter();
    expect(s.push(frame(10, 1).subarray(0, 7))).toEqual([]);
    expect(s.pending).toBe(7);
  });
});

describe("instance lock and runtime directory", () => {
  it("one holder at a time; a stale lock (dead pid) is taken over; release removes only our own", () => {
    const file = path.join(tmp(), "recorder.pid");
    expect(acquireInstanceLock(file)).toBe(true);
    expect(fs.readFileSync(file, "utf8").trim()).toBe(String(process.pid));
    // Another live process holds it:
    fs.writeFileSync(file, `${process.ppid}\n`);
    expect(acquireInstanceLock(file)).toBe(false);
    releaseInstanceLock(file);
    expect(fs.existsSync(file)).toBe(true);
    // A dead one: pid 2^22 + 1 is above Linux's pid_max default range and not running.
    fs.writeFileSync(file, "4194305\n");
    expect(acquireInstanceLock(file)).toBe(true);
    releaseInstanceLock(file);
    expect(fs.existsSync(file)).toBe(false);
  });

  it("a runtime directory opened to others is closed again; a file in its place is refused", () => {
    const dir = path.join(tmp(), "rt");
    fs.mkdirSync(dir, { mode: 0o777 });
    fs.chmodSync(dir, 0o777);
    ensurePrivateDir(dir);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    const file = path.join(tmp(), "not-a-dir");
    fs.writeFileSync(file, "");
    expect(() => ensurePrivateDir(file)).toThrow();
    const link = path.join(tmp(), "link");
    fs.symlinkSync(dir, link);
    expect(() => ensurePrivateDir(link)).toThrow(RuntimeDirError);
  });
});

describe("the two relays agree", () => {
  it("start the daemon with the same Node flags", async () => {
    const { DAEMON_NODE_FLAGS } = await import("../../relay/connect-daemon");
    const rust = fs.readFileSync(path.resolve(import.meta.dirname, "../../../relay/src/daemon.rs"), "utf8");
    const list = rust.match(/const DAEMON_NODE_FLAGS: \[&str; \d+\] = \[([^\]]*)\]/)?.[1] ?? "";
    expect([...list.matchAll(/"([^"]+)"/g)].map((m) => m[1])).toEqual(DAEMON_NODE_FLAGS);
  });
});
