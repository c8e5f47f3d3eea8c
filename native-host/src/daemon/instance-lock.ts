/**
 * One recorder daemon per user: the pid file is created exclusively, so of two daemons started at
 * once only one proceeds. A pid file whose process is gone is stale and taken over; the socket
 * is only ever unlinked and bound by the lock holder, so a live daemon's socket is never stolen.
 */
import fs from "node:fs";

/** A zombie (killed, not yet reaped: a daemon's parent relay is long gone) counts as dead. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true; // no procfs (macOS): kill(0) is all we have
  }
}

export function readPid(file: string): number | null {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, "utf8").trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** True if this process now holds the lock; false if another live daemon does. */
export function acquireInstanceLock(file: string): boolean {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(file, "wx", 0o600);
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const holder = readPid(file);
      // An empty file is a daemon between open and write: treat it as alive.
      if (holder === null && fs.statSync(file, { throwIfNoEntry: false })?.size === 0) return false;
      if (holder !== null && holder !== process.pid && processAlive(holder)) return false;
      fs.rmSync(file, { force: true });
    }
  }
  return false;
}

export function releaseInstanceLock(file: string): void {
  if (readPid(file) === process.pid) fs.rmSync(file, { force: true });
}
