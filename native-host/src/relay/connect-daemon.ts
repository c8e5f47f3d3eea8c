/**
 * Finds the user's recorder daemon, starting it if none runs: connect to its socket; if nobody
 * listens, spawn `node <bundle> --daemon` detached (its own session and process group, stdio to
 * nowhere, so Chrome closing the port or killing this relay cannot reach it) and keep trying to
 * connect until it listens or the deadline passes.
 */
import { spawn } from "node:child_process";
import net from "node:net";
import { processAlive, readPid } from "../daemon/instance-lock";
import { pidFile, socketPath } from "../daemon/runtime-dir";

/**
 * Node flags for the long-running daemon, for resident size: a small young generation, one
 * background V8 thread, and lite mode (no optimizing compiler: its JS only routes messages; the
 * heavy lifting — base64, hashing, JSON — is native). Measured: anonymous memory 32 → 26.5 MB.
 */
export const DAEMON_NODE_FLAGS = ["--max-semi-space-size=1", "--v8-pool-size=1", "--lite-mode"];

const RETRY_MS = 40;

function tryConnect(path: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ path, allowHalfOpen: true });
    socket.once("connect", () => {
      socket.off("error", reject);
      resolve(socket);
    });
    socket.once("error", reject);
  });
}

export function spawnDaemon(bundlePath: string, env: NodeJS.ProcessEnv): number | undefined {
  const child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, bundlePath, "--daemon"], {
    detached: true,
    stdio: "ignore",
    env,
  });
  child.unref();
  return child.pid;
}

export async function connectDaemon(
  dir: string,
  start: () => number | undefined,
  deadlineMs: number,
): Promise<{ socket: net.Socket; spawned: number | undefined }> {
  const path = socketPath(dir);
  let spawned: number | undefined;
  let lastError: unknown = null;
  while (Date.now() < deadlineMs) {
    try {
      return { socket: await tryConnect(path), spawned };
    } catch (e) {
      lastError = e;
      const holder = readPid(pidFile(dir));
      // Spawn once, and only if no live daemon is on its way up (it holds the pid lock first).
      if (spawned === undefined && (holder === null || !processAlive(holder))) spawned = start() ?? -1;
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  }
  throw new Error(`no recorder daemon answered on ${path}: ${String(lastError)}`);
}
