/**
 * Where the recorder daemon and its relays meet: a private per-user directory holding the
 * daemon's socket and its pid lock. Guarantees: the directory exists, belongs to this user and
 * is closed to everyone else (0700) before anything is put in it, so only this user's relays can
 * reach the daemon — a directory owned by someone else, or not a directory, is refused.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export function runtimeDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SESSIONS_RUNTIME_DIR) return env.SESSIONS_RUNTIME_DIR;
  if (env.XDG_RUNTIME_DIR) return path.join(env.XDG_RUNTIME_DIR, "sessions");
  return path.join(os.tmpdir(), `sessions-${process.getuid?.() ?? os.userInfo().username}`);
}

export function socketPath(dir: string): string {
  // Windows has no Unix sockets in every Node build; a per-user named pipe plays the same part.
  if (process.platform === "win32") return `\\\\.\\pipe\\sessions-recorder-${os.userInfo().username}`;
  return path.join(dir, "recorder.sock");
}

export function pidFile(dir: string): string {
  return path.join(dir, "recorder.pid");
}

export class RuntimeDirError extends Error {}

export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(dir);
  if (!st.isDirectory()) throw new RuntimeDirError(`${dir} is not a directory`);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) throw new RuntimeDirError(`${dir} belongs to uid ${st.uid}, not ${uid}`);
  if (process.platform !== "win32" && (st.mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
}
