/**
 * The per-user recorder daemon: owns the children, the spool and the session, and serves the
 * native messaging relays (one per browser port) over a private Unix socket, each connection
 * opening with a relay.hello (the caller's origin, checked here) and then speaking the same frames
 * as the browser's pipe. Guarantees: one daemon per user (pid lock);
 * a relay that goes away — Chrome closes the port when the extension's service worker stops —
 * does not stop the recording; an orphaned session is stopped after RECORDER_ORPHAN_GRACE_MS; the
 * daemon exits after RECORDER_IDLE_EXIT_MS with nothing to do, and on SIGTERM stops the session
 * (its children finish their segments) first. Started detached (own session, no browser pipes).
 */
import fs from "node:fs";
import net from "node:net";
import {
  CHILD_STOP_TIMEOUT_MS,
  type HostMessage,
  RECORDER_IDLE_EXIT_MS,
  RECORDER_ORPHAN_GRACE_MS,
} from "@sessions/shared";
import { encodeFrame } from "../framing/frame-encoder";
import { buildHandlers, createRecorder } from "../handlers/index";
import { Host } from "../host";
import { allowedOrigins, normalizeOrigin } from "../launch-args";
import type { Logger } from "../log/logger";
import { buildIdentity } from "./build-identity";
import { acquireInstanceLock, releaseInstanceLock } from "./instance-lock";
import { DaemonLifetime } from "./lifetime";
import { readRelayHello } from "./relay-hello";
import { ensurePrivateDir, pidFile, runtimeDir, socketPath } from "./runtime-dir";
import type { LinkEnd } from "./session-link";

const TICK_MS = 250;

export interface DaemonOptions {
  logger: Logger;
  hostVersion: string;
  bundleDir: string;
  /** The bundle this daemon runs, for its build identity. */
  bundlePath: string;
  env?: NodeJS.ProcessEnv;
}

export async function runDaemon(options: DaemonOptions): Promise<void> {
  const { logger } = options;
  const env = options.env ?? process.env;
  const dir = runtimeDir(env);
  ensurePrivateDir(dir);
  const lock = pidFile(dir);
  if (!acquireInstanceLock(lock)) {
    logger.info("another recorder daemon holds the lock; leaving it to serve", { dir });
    process.exit(0);
  }
  const sock = socketPath(dir);
  // A named pipe (Windows) vanishes with its server; a Unix socket file stays until removed.
  const removeSocket = () => {
    if (process.platform !== "win32") fs.rmSync(sock, { force: true });
  };
  removeSocket();

  const recorder = createRecorder(logger, options.bundleDir);
  const connections = new Set<Host>();
  const lifetime = new DaemonLifetime({
    orphanGraceMs: Number(env.SESSIONS_ORPHAN_GRACE_MS ?? RECORDER_ORPHAN_GRACE_MS),
    idleExitMs: Number(env.SESSIONS_IDLE_EXIT_MS ?? RECORDER_IDLE_EXIT_MS),
  });
  let exiting = false;
  let pending = 0;
  const ownBuild = buildIdentity(options.bundlePath);
  let retiring = false;
  /**
   * A relay of another build (the host was updated or rebuilt) met a daemon with no session: stop
   * taking connections and give up the socket and lock, so the next relay starts a daemon of the
   * new build; this one serves what it has and leaves when idle. With a session it stays: the
   * extension must reattach to the daemon that records.
   */
  const retireFor = (build: string) => {
    if (retiring || recorder.sessions.status().session) return;
    retiring = true;
    logger.info("a relay of another build connected; handing over to a new daemon", { own: ownBuild, relay: build });
    server.close();
    removeSocket();
    releaseInstanceLock(lock);
  };

  const serve = (socket: net.Socket) => {
    let host: Host | null = null;
    const end: LinkEnd = {
      send: (m: HostMessage) => host?.send(m),
      queueDepth: () => host?.ctx.queueDepth() ?? 0,
    };
    host = new Host({
      input: socket,
      output: socket,
      write: (chunk, cb) => socket.write(chunk, cb),
      logger,
      hostVersion: options.hostVersion,
      handlers: () => buildHandlers(recorder, end),
      exit: () => socket.end(),
      inputName: "relay connection",
    });
    connections.add(host);
    logger.info("relay connected", { connections: connections.size });
    socket.on("close", () => {
      if (host) connections.delete(host);
      recorder.link.detach(end);
      logger.info("relay disconnected", { connections: connections.size, attached: recorder.link.attached });
    });
    host.start();
  };

  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    socket.on("error", (err) => logger.warn("relay connection error", { error: String(err) }));
    // Counted from the first byte, so a relay still saying hello keeps an idle daemon alive.
    pending++;
    readRelayHello(socket)
      .then((hello) => {
        // Read per connection: `install --extension-id` may have added a caller since the daemon started.
        if (!hello.origin || !allowedOrigins(options.bundleDir, env).has(normalizeOrigin(hello.origin))) {
          logger.error("caller origin not allowed", { origin: hello.origin });
          const refusal = encodeFrame({
            type: "error",
            id: null,
            code: "FORBIDDEN_ORIGIN",
            message: `this host does not serve ${hello.origin ?? "callers without an origin"}`,
            retryable: false,
          });
          socket.end(refusal);
          return;
        }
        if (hello.build && ownBuild && hello.build !== ownBuild) retireFor(hello.build);
        serve(socket);
      })
      .catch((e) => {
        logger.warn("relay connection refused", { error: String(e) });
        socket.destroy();
      })
      .finally(() => pending--);
  });

  const shutdown = async (code: number, why: string) => {
    if (exiting) return;
    exiting = true;
    logger.info("recorder daemon exiting", { why });
    clearInterval(ticker);
    server.close();
    await recorder.sessions.shutdown(Date.now() + CHILD_STOP_TIMEOUT_MS);
    // A retired daemon's socket path may already be its successor's.
    if (!retiring) removeSocket();
    releaseInstanceLock(lock);
    process.exit(code);
  };

  const ticker = setInterval(() => {
    const status = recorder.sessions.status().session;
    const action = lifetime.tick(Date.now(), {
      connections: connections.size + pending,
      attached: recorder.link.attached,
      session: status
        ? { sessionId: status.sessionId, stoppable: status.state === "recording" || status.state === "paused" }
        : null,
    });
    if (action?.kind === "stop-orphan") {
      logger.warn("no extension attached within the grace period; stopping the session", {
        sessionId: action.sessionId,
      });
      recorder.sessions.stop(action.sessionId).catch((e) => logger.error("orphan stop failed", { error: String(e) }));
    } else if (action?.kind === "exit") void shutdown(0, "idle");
  }, TICK_MS);

  process.on("SIGTERM", () => void shutdown(0, "SIGTERM"));
  process.on("SIGINT", () => void shutdown(0, "SIGINT"));
  process.on("SIGHUP", () => undefined); // detached already; a closing terminal must not end a recording

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(sock, () => {
      server.off("error", reject);
      resolve();
    });
  });
  if (process.platform !== "win32") fs.chmodSync(sock, 0o600);
  logger.info("recorder daemon listening", { socket: sock, pid: process.pid });
}
