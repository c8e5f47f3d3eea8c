/**
 * Test support: the built host started as a real process, spoken to over real pipes, the way
 * Chrome starts it. That process relays to a recorder daemon it starts (see PROTOCOL.md "Process
 * model"); each host gets a runtime directory of its own, hence a daemon of its own, unless the
 * caller passes SESSIONS_RUNTIME_DIR to share one. `kill()` ends both.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { EXTENSION_ORIGIN, HostMessage } from "@sessions/shared";
import { readPid } from "../daemon/instance-lock";
import { pidFile } from "../daemon/runtime-dir";
import { FrameDecoder } from "../framing/frame-decoder";
import { encodeFrame } from "../framing/frame-encoder";

export const HOST_BUNDLE = process.env.SESSIONS_HOST_BUNDLE ?? path.resolve(import.meta.dirname, "../../dist/host.mjs");

export interface HostProcess {
  /** The process the browser would have started: the relay. */
  child: ChildProcessWithoutNullStreams;
  runtimeDir: string;
  /** The recorder daemon serving this host, once it has started (from its pid lock). */
  daemonPid(): number | null;
  /** Waits up to `timeoutMs` for the daemon's pid. */
  waitDaemon(timeoutMs?: number): Promise<number>;
  /** SIGKILLs the relay and its daemon (the daemon's children see stdin close and exit). */
  kill(): void;
  send(message: unknown): void;
  sendRaw(bytes: Buffer): void;
  /** Resolves with the next n messages (each validated against HostMessage). */
  take(n: number, timeoutMs?: number): Promise<HostMessage[]>;
  /** Collects messages until one satisfies `done` (inclusive); rejects on timeout. */
  until(done: (m: HostMessage) => boolean, timeoutMs?: number): Promise<HostMessage[]>;
  stderr(): string;
  stdoutGarbage(): string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** The native relay (scripts/build.d/relay.sh); the launcher prefers it over the Node relay. */
export const NATIVE_RELAY = path.resolve(path.dirname(HOST_BUNDLE), "../relay/target/release/sessions-relay");

/** The Node the host runs under: the runner's own, unless a benchmark runs under a copy of it. */
const HOST_NODE = process.env.SESSIONS_HOST_NODE ?? process.execPath;

export interface StartOptions {
  /** Which relay plays the browser-started process: the bundle's Node relay or sessions-relay. */
  relay?: "node" | "native";
  /** Another copy of the host bundle (another "build") to run instead of HOST_BUNDLE. */
  bundle?: string;
}

export function startHost(
  args: string[] = [EXTENSION_ORIGIN],
  env: NodeJS.ProcessEnv = {},
  options: StartOptions = {},
): HostProcess {
  if (!fs.existsSync(HOST_BUNDLE)) throw new Error(`${HOST_BUNDLE} missing: run npm run build:host first`);
  const native = options.relay === "native";
  if (native && !fs.existsSync(NATIVE_RELAY))
    throw new Error(`${NATIVE_RELAY} missing: run bash scripts/build.d/relay.sh first`);
  const logDir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? "/tmp", "sessions-host-log-"));
  const runtimeDir = env.SESSIONS_RUNTIME_DIR ?? fs.mkdtempSync(path.join("/tmp", "sessions-rt-"));
  const bundle = options.bundle ?? HOST_BUNDLE;
  const argv = native
    ? [NATIVE_RELAY, "--node", HOST_NODE, "--bundle", bundle, "--", ...args]
    : [HOST_NODE, bundle, ...args];
  const child = spawn(argv[0] as string, argv.slice(1), {
    env: { ...process.env, SESSIONS_LOG_DIR: logDir, SESSIONS_RUNTIME_DIR: runtimeDir, ...env },
  });
  const daemonPid = () => readPid(pidFile(runtimeDir));
  const decoder = new FrameDecoder(2 * 1024 * 1024);
  const inbox: HostMessage[] = [];
  const garbage: string[] = [];
  let waiter: (() => void) | null = null;
  let stderr = "";
  // A failed spawn (or a pipe that broke) is reported in stderr(), not thrown into the test runner.
  child.on("error", (err) => {
    stderr += `\n[spawn error] ${String(err)}`;
  });
  child.stdin.on("error", (err) => {
    stderr += `\n[stdin error] ${String(err)}`;
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  child.stdout.on("data", (chunk: Buffer) => {
    for (const f of decoder.push(chunk)) {
      if (f.kind === "error") {
        garbage.push(f.message);
        continue;
      }
      const parsed = HostMessage.safeParse(f.value);
      if (parsed.success) inbox.push(parsed.data);
      else garbage.push(`not a HostMessage: ${JSON.stringify(f.value).slice(0, 300)}`);
    }
    waiter?.();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  return {
    child,
    runtimeDir,
    daemonPid,
    async waitDaemon(timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const pid = daemonPid();
        if (pid) return pid;
        if (Date.now() > deadline)
          throw new Error(`no recorder daemon in ${runtimeDir}; stderr:\n${stderr.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    kill() {
      child.kill("SIGKILL");
      const pid = daemonPid();
      if (pid) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    },
    send: (m) => child.stdin.write(encodeFrame(m, 64 * 1024 * 1024)),
    sendRaw: (b) => child.stdin.write(b),
    stderr: () => stderr,
    stdoutGarbage: () => garbage,
    exited,
    until(done, timeoutMs = 30_000) {
      const seen: HostMessage[] = [];
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiter = null;
          reject(
            new Error(
              `timed out after ${seen.length} messages: ${JSON.stringify(seen.slice(-5).map((m) => m.type))}; stderr:\n${stderr.slice(-2000)}`,
            ),
          );
        }, timeoutMs);
        const check = () => {
          while (inbox.length > 0) {
            const m = inbox.shift() as HostMessage;
            seen.push(m);
            if (done(m)) {
              clearTimeout(timer);
              waiter = null;
              resolve(seen);
              return;
            }
          }
        };
        waiter = check;
        check();
      });
    },
    take(n, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiter = null;
          reject(
            new Error(`timed out waiting for ${n} messages (have ${inbox.length}); stderr:\n${stderr.slice(-2000)}`),
          );
        }, timeoutMs);
        const check = () => {
          if (inbox.length >= n) {
            clearTimeout(timer);
            waiter = null;
            resolve(inbox.splice(0, n));
          }
        };
        waiter = check;
        check();
      });
    },
  };
}

export function rawFrame(body: Buffer | string): Buffer {
  const b = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  const h = Buffer.alloc(4);
  h.writeUInt32LE(b.length, 0);
  return Buffer.concat([h, b]);
}

/** Predicate for `until`: the reply (result, hello or error) to request `id`. */
export const replyTo =
  (id: string) =>
  (m: HostMessage): boolean =>
    "id" in m && m.id === id;
