/** What `doctor` says about the user's recorder daemon: where it would live and whether it runs. */
import fs from "node:fs";
import { processAlive, readPid } from "./instance-lock";
import { pidFile, runtimeDir, socketPath } from "./runtime-dir";

export interface DaemonStatus {
  runtimeDir: string;
  pid: number | null;
  running: boolean;
  socket: boolean;
}

export function daemonStatus(env: NodeJS.ProcessEnv = process.env): DaemonStatus {
  const dir = runtimeDir(env);
  const pid = readPid(pidFile(dir));
  const running = pid !== null && processAlive(pid);
  return { runtimeDir: dir, pid: running ? pid : null, running, socket: fs.existsSync(socketPath(dir)) };
}

export function describeDaemon(s: DaemonStatus): string {
  return s.running
    ? `recorder daemon: running (pid ${s.pid}) in ${s.runtimeDir}`
    : `recorder daemon: not running (the first browser connection starts it) — ${s.runtimeDir}`;
}
