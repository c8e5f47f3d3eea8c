import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { type ErrorCode, EXTENSION_ORIGIN as EXTENSION_ORIGIN_ARG, PROTOCOL_VERSION } from "@sessions/shared";
import { afterEach, describe, expect, it } from "vitest";
import { processAlive } from "../daemon/instance-lock";
import { HOST_BUNDLE, type HostProcess, rawFrame, startHost } from "./host-process";

const hello = { type: "hello", id: "h", protocol: PROTOCOL_VERSION, extensionVersion: "test" };
let host: HostProcess | null = null;
afterEach(() => {
  host?.kill();
  host = null;
});

/** Deterministic PRNG so a failing case can be reproduced. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const fixtureDir = path.resolve(import.meta.dirname, "../../../shared/fixtures/browser-request");
const invalidFixtures = fs
  .readdirSync(path.join(fixtureDir, "invalid"))
  .map((f) => JSON.parse(fs.readFileSync(path.join(fixtureDir, "invalid", f), "utf8")) as unknown);
const validFixtures = fs
  .readdirSync(path.join(fixtureDir, "valid"))
  .map((f) => JSON.parse(fs.readFileSync(path.join(fixtureDir, "valid", f), "utf8")) as Record<string, unknown>);

/** One generated bad input: the bytes to send and the code the host must answer with. */
function badInput(r: () => number, i: number): { bytes: Buffer; code: ErrorCode; id: string | null } {
  const id = `bad-${i}`;
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)] as T;
  switch (Math.floor(r() * 7)) {
    case 0: {
      // not JSON: a valid message cut short or with a byte flipped into garbage
      const text = JSON.stringify(pick(validFixtures));
      const cut = text.slice(0, 1 + Math.floor(r() * (text.length - 2)));
      return { bytes: rawFrame(`${cut}\u0000`), code: "MALFORMED_JSON", id: null };
    }
    case 1: {
      const bytes = Buffer.from(Array.from({ length: 1 + Math.floor(r() * 40) }, () => 0x80 + Math.floor(r() * 64)));
      return { bytes: rawFrame(bytes), code: "MALFORMED_JSON", id: null };
    }
    case 2:
      return {
        bytes: rawFrame(JSON.stringify(pick([1, "s", null, true, [1, 2], 3.5]))),
        code: "BAD_REQUEST",
        id: null,
      };
    case 3:
      return {
        bytes: rawFrame(JSON.stringify({ type: `x.${Math.floor(r() * 1e9)}`, id })),
        code: "UNKNOWN_TYPE",
        id,
      };
    case 4: {
      // a valid message with one field replaced by a value of the wrong type
      const m = { ...pick(validFixtures), id };
      const keys = Object.keys(m).filter((k) => k !== "type" && k !== "id");
      if (keys.length === 0) return { bytes: rawFrame(JSON.stringify({ id })), code: "BAD_REQUEST", id };
      const key = pick(keys);
      const original = (m as Record<string, unknown>)[key];
      // a value of another JSON type than the field's, so it can never be valid
      const wrong = [{ nested: [] }, -1e308, "🎬".repeat(3), [null], true].filter(
        (v) => typeof v !== typeof original || Array.isArray(v) !== Array.isArray(original),
      );
      (m as Record<string, unknown>)[key] = pick(wrong);
      return { bytes: rawFrame(JSON.stringify(m)), code: "BAD_REQUEST", id };
    }
    case 5: {
      const m = pick(invalidFixtures) as Record<string, unknown>;
      if (Array.isArray(m)) return { bytes: rawFrame(JSON.stringify(m)), code: "BAD_REQUEST", id: null };
      if (!("type" in m)) return { bytes: rawFrame(JSON.stringify({ ...m, id })), code: "BAD_REQUEST", id };
      // a fixture whose fault is its id keeps that id, and so gets an anonymous answer
      const badId = "id" in m && (typeof m.id !== "string" || m.id.length > 64);
      const sent = badId ? m : { ...m, id };
      const known = m.type !== "session.teleport";
      return {
        bytes: rawFrame(JSON.stringify(sent)),
        code: known ? "BAD_REQUEST" : "UNKNOWN_TYPE",
        id: badId ? null : id,
      };
    }
    default:
      return {
        bytes: rawFrame(
          JSON.stringify({ type: "hello", id, protocol: 2 + Math.floor(r() * 100), extensionVersion: "x" }),
        ),
        code: "UNSUPPORTED_PROTOCOL",
        id,
      };
  }
}

const RELAYS = [
  { name: "Node relay", relay: "node" as const },
  { name: "native relay (sessions-relay)", relay: "native" as const },
];

describe.each(RELAYS)("through the $name", ({ relay }) => {
  const start = (args?: string[], env?: NodeJS.ProcessEnv, bundle?: string) =>
    startHost(args, env, { relay, ...(bundle ? { bundle } : {}) });

  describe("native host as a real process", () => {
    it("completes the handshake, answering in kind with the request's id", async () => {
      host = start();
      host.send(hello);
      const [reply] = await host.take(1);
      expect(reply).toMatchObject({ type: "hello", id: "h", protocol: 1, platform: "linux" });
      expect(reply).toHaveProperty("hostVersion");
      expect(host.stdoutGarbage()).toEqual([]);
    });

    it("ignores extra browser arguments such as Windows' --parent-window", async () => {
      host = start(["--parent-window=1234", "chrome-extension://dhfeooidhioanjlgbjidjenhcdannohi/", "--future-flag"]);
      host.send({ type: "ping", id: "p" });
      expect(await host.take(1)).toEqual([{ type: "result", id: "p", pong: true }]);
    });

    it("refuses a caller with a foreign origin with FORBIDDEN_ORIGIN and exits", async () => {
      host = start(["chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"]);
      const [reply] = await host.take(1);
      expect(reply).toMatchObject({ type: "error", id: null, code: "FORBIDDEN_ORIGIN" });
      expect((await host.exited).code).toBe(1);
    });

    it("answers an unsupported protocol with UNSUPPORTED_PROTOCOL, not silence", async () => {
      host = start();
      host.send({ ...hello, protocol: 99 });
      expect(await host.take(1)).toEqual([
        expect.objectContaining({ type: "error", id: "h", code: "UNSUPPORTED_PROTOCOL", retryable: false }),
      ]);
    });

    it("refuses requests before the handshake with INVALID_STATE", async () => {
      host = start();
      host.send({ type: "sources.list", id: "s" });
      expect(await host.take(1)).toEqual([expect.objectContaining({ id: "s", code: "INVALID_STATE" })]);
    });

    it("survives 10 000 generated bad inputs, answering each with the right coded error", async () => {
      host = start();
      host.send(hello);
      await host.take(1);
      const r = rng(20261124);
      const cases = Array.from({ length: 10_000 }, (_, i) => badInput(r, i));
      // send in a few large writes to also exercise many frames per read
      for (let i = 0; i < cases.length; i += 500)
        host.sendRaw(Buffer.concat(cases.slice(i, i + 500).map((c) => c.bytes)));
      const replies = await host.take(cases.length, 60_000);
      const byId = new Map(replies.filter((m) => m.type === "error" && m.id).map((m) => [(m as { id: string }).id, m]));
      const anonymous = replies
        .filter((m) => m.type === "error" && m.id === null)
        .map((m) => (m as { code: string }).code);
      const expectedAnonymous: string[] = [];
      expect(replies.filter((m) => m.type !== "error")).toEqual([]);
      for (const c of cases) {
        if (c.id) expect(byId.get(c.id)).toMatchObject({ type: "error", code: c.code });
        else expectedAnonymous.push(c.code);
      }
      expect(anonymous.sort()).toEqual(expectedAnonymous.sort());
      host.send({ type: "ping", id: "still-alive" });
      expect(await host.take(1)).toEqual([{ type: "result", id: "still-alive", pong: true }]);
      expect(host.stdoutGarbage()).toEqual([]);
    });

    it("rejects frames over 64 MiB before reading them, then keeps serving", async () => {
      host = start();
      const oversize = Buffer.alloc(4 + 64 * 1024 * 1024 + 1, 0x20);
      oversize.writeUInt32LE(64 * 1024 * 1024 + 1, 0);
      host.sendRaw(oversize);
      host.send({ type: "ping", id: "after" });
      const replies = await host.take(2, 30_000);
      expect(replies[0]).toMatchObject({ type: "error", id: null, code: "MESSAGE_TOO_LARGE" });
      expect(replies[1]).toEqual({ type: "result", id: "after", pong: true });
    });

    it("reports a frame truncated by end of input, and exits cleanly within 1.5 s of EOF", async () => {
      host = start();
      host.send(hello);
      await host.take(1);
      host.sendRaw(rawFrame('{"type":"ping","id":"cut"}').subarray(0, 10));
      const eofAt = Date.now();
      host.child.stdin.end();
      const [reply] = await host.take(1);
      expect(reply).toMatchObject({ type: "error", code: "BAD_REQUEST" });
      const exit = await host.exited;
      expect(exit.code).toBe(0);
      expect(exit.at - eofAt).toBeLessThan(1500);
    });

    it("keeps stdout to frames only: logs go to stderr and the log file", async () => {
      host = start();
      host.send(hello);
      await host.take(1);
      host.child.stdin.end();
      await host.exited;
      expect(host.stdoutGarbage()).toEqual([]);
      expect(host.stderr()).toContain("host starting");
    });
  });

  const procStat = (pid: number) => {
    const text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { state: f[0], ppid: Number(f[1]), pgrp: Number(f[2]), session: Number(f[3]) };
  };
  async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  /** Recorder daemons serving a runtime directory, found by their environment. */
  function daemonsFor(runtimeDir: string): number[] {
    return fs
      .readdirSync("/proc")
      .filter((d) => /^\d+$/.test(d))
      .map(Number)
      .filter((pid) => {
        try {
          return (
            fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("--daemon") &&
            fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").includes(`SESSIONS_RUNTIME_DIR=${runtimeDir}`)
          );
        } catch {
          return false;
        }
      })
      .filter(processAlive);
  }

  describe("relay and recorder daemon", () => {
    const extra: HostProcess[] = [];
    afterEach(() => {
      for (const h of extra.splice(0)) h.kill();
    });

    it("the host relays to a daemon in its own session; the daemon outlives the relay and exits when idle", async () => {
      host = start([EXTENSION_ORIGIN_ARG], { SESSIONS_IDLE_EXIT_MS: "1500" });
      host.send(hello);
      await host.take(1);
      const daemon = await host.waitDaemon();
      const st = procStat(daemon);
      expect(daemon).not.toBe(host.child.pid);
      expect(st.session, "setsid: not in the browser's session or process group").toBe(daemon);
      expect(st.pgrp).toBe(daemon);
      expect(fs.statSync(path.join(host.runtimeDir, "recorder.sock")).mode & 0o777).toBe(0o600);
      expect(fs.statSync(host.runtimeDir).mode & 0o777).toBe(0o700);
      host.child.stdin.end();
      expect((await host.exited).code).toBe(0);
      expect(processAlive(daemon)).toBe(true);

      // A second browser port reaches the same daemon.
      const again = start([EXTENSION_ORIGIN_ARG], { SESSIONS_RUNTIME_DIR: host.runtimeDir });
      extra.push(again);
      again.send(hello);
      await again.take(1);
      expect(again.daemonPid()).toBe(daemon);
      again.child.stdin.end();
      await again.exited;
      await waitFor(() => !processAlive(daemon), 6000, "the idle daemon to exit");
      expect(fs.existsSync(path.join(host.runtimeDir, "recorder.pid"))).toBe(false);
      expect(fs.existsSync(path.join(host.runtimeDir, "recorder.sock"))).toBe(false);
    });

    it("hosts started at the same moment share one daemon", async () => {
      const runtimeDir = fs.mkdtempSync(path.join("/tmp", "sessions-rt-"));
      const hosts = Array.from({ length: 4 }, () =>
        start([EXTENSION_ORIGIN_ARG], { SESSIONS_RUNTIME_DIR: runtimeDir }),
      );
      extra.push(...hosts);
      for (const h of hosts) h.send({ ...hello, id: "many" });
      for (const h of hosts) expect((await h.take(1, 15_000))[0]).toMatchObject({ type: "hello", id: "many" });
      const pid = hosts[0]?.daemonPid();
      expect(pid).toBeGreaterThan(0);
      for (const h of hosts) expect(h.daemonPid()).toBe(pid);
      await waitFor(() => daemonsFor(runtimeDir).length <= 1, 3000, "losing daemons to leave");
      expect(daemonsFor(runtimeDir)).toEqual([pid]);
    });

    it("a relay of another build hands an idle daemon over: served once, then a daemon of the new build", async () => {
      host = start([EXTENSION_ORIGIN_ARG], { SESSIONS_IDLE_EXIT_MS: "500" });
      host.send(hello);
      await host.take(1);
      const old = await host.waitDaemon();
      const dir = host.runtimeDir;
      const env = { SESSIONS_RUNTIME_DIR: dir };
      // The same build (this relay's identity matches the daemon's own, Rust or Node): no handover.
      const same = start([EXTENSION_ORIGIN_ARG], env);
      extra.push(same);
      same.send(hello);
      await same.take(1);
      expect(same.daemonPid()).toBe(old);
      expect(fs.existsSync(path.join(dir, "recorder.sock"))).toBe(true);
      // Another build: a copy of the bundle, written now.
      const copy = path.join(fs.mkdtempSync(path.join("/tmp", "sessions-build-")), "host.mjs");
      fs.copyFileSync(HOST_BUNDLE, copy);
      const newer = start([EXTENSION_ORIGIN_ARG], env, copy);
      extra.push(newer);
      newer.send(hello);
      expect((await newer.take(1))[0]).toMatchObject({ type: "hello" });
      await waitFor(
        () => !fs.existsSync(path.join(dir, "recorder.sock")),
        3000,
        "the old daemon to give up its socket",
      );
      const next = start([EXTENSION_ORIGIN_ARG], env, copy);
      extra.push(next);
      next.send(hello);
      expect((await next.take(1))[0]).toMatchObject({ type: "hello" });
      const successor = next.daemonPid() as number;
      expect(successor).not.toBe(old);
      expect(fs.readFileSync(`/proc/${successor}/cmdline`, "utf8")).toContain(copy);
      // The old one leaves once its connections are gone, without touching its successor's socket.
      for (const h of [host, same, newer]) h.child.stdin.end();
      await waitFor(() => !processAlive(old), 5000, "the old daemon to exit");
      expect(fs.existsSync(path.join(dir, "recorder.sock"))).toBe(true);
      next.send({ type: "ping", id: "after" });
      expect(await next.take(1)).toEqual([{ type: "result", id: "after", pong: true }]);
    });

    it("a daemon that dies closes the browser's port: the relay exits non-zero", async () => {
      host = start();
      host.send(hello);
      await host.take(1);
      process.kill(await host.waitDaemon(), "SIGKILL");
      const exit = await host.exited;
      expect(exit.code).toBe(1);
      expect(host.stdoutGarbage()).toEqual([]);
    });

    it("a stale lock and socket from a killed daemon do not stop the next one", async () => {
      host = start();
      host.send(hello);
      await host.take(1);
      const first = await host.waitDaemon();
      host.kill();
      await waitFor(() => !processAlive(first), 3000, "the daemon to die");
      expect(fs.existsSync(path.join(host.runtimeDir, "recorder.sock"))).toBe(true);
      // The kernel may release a killed process's listening socket a moment after it turns zombie;
      // a relay connecting in that moment meets a dying daemon (and the browser retries). This test
      // is about the stale lock and socket file, so it waits until the socket refuses.
      const sock = path.join(host.runtimeDir, "recorder.sock");
      for (let refused = false; !refused; ) {
        refused = await new Promise<boolean>((resolve) => {
          const c = net.connect(sock);
          c.on("connect", () => {
            c.destroy();
            resolve(false);
          });
          c.on("error", () => resolve(true));
        });
        if (!refused) await new Promise((r) => setTimeout(r, 20));
      }
      const next = start([EXTENSION_ORIGIN_ARG], { SESSIONS_RUNTIME_DIR: host.runtimeDir });
      extra.push(next);
      next.send(hello);
      expect((await next.take(1))[0]).toMatchObject({ type: "hello" });
      expect(next.daemonPid()).not.toBe(first);
    });
  });
});

describe("the daemon's own door", () => {
  it("closes a connection that does not open with a valid relay.hello, and serves the next one", async () => {
    host = startHost();
    host.send(hello);
    await host.take(1);
    const sock = path.join(host.runtimeDir, "recorder.sock");
    const closedOn = (bytes: Buffer) =>
      new Promise<string>((resolve, reject) => {
        const c = net.connect(sock, () => c.write(bytes));
        let got = "";
        c.on("data", (d) => {
          got += d.toString();
        });
        c.on("close", () => resolve(got));
        c.on("error", reject);
      });
    expect(await closedOn(rawFrame('{"type":"hello","id":"h","protocol":1,"extensionVersion":"x"}'))).toBe("");
    expect(await closedOn(rawFrame("not json"))).toBe("");
    expect(await closedOn(Buffer.from([0xff, 0xff, 0xff, 0x7f]))).toBe("");
    const refused = await closedOn(rawFrame(JSON.stringify({ type: "relay.hello", origin: null })));
    expect(refused).toContain("FORBIDDEN_ORIGIN");
    host.send({ type: "ping", id: "still" });
    expect(await host.take(1)).toEqual([{ type: "result", id: "still", pong: true }]);
  });
});
