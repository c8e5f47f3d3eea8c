/**
 * Finds and measures the processes of one Sessions recording on Linux, from /proc, without
 * relying on who started whom (the recorder daemon is detached from the browser on purpose).
 * Guarantees: a process counts only if it is the browser this run launched, or started after the
 * run began and carries the run's marker in its environment (SESSIONS_RUNTIME_DIR, unique per
 * browser, inherited by the relay and the daemon), or descends from one of those — so another
 * engineer's host or children on the same machine are never counted. Roles come from the command
 * line: node running `.../host.mjs`, the `sessions-host` launcher or the native `sessions-relay` is
 * the host (`--daemon`: the recorder daemon, else the relay Chromium started); swift-capture, its ffmpeg and sessions-audio by
 * executable name; the extension's renderer by pid (the caller identifies it). Memory is RSS and
 * PSS from /proc/<pid>/smaps_rollup (PSS splits shared pages, so a sum of PSS is what the processes
 * cost together); CPU is utime + stime in clock ticks.
 */
import fs from "node:fs";
import path from "node:path";

const TICKS_PER_SECOND = 100; // USER_HZ on Linux
/** Debian's Chromium binaries (the browser, its zygotes, crashpad handlers). */
const CHROMIUM_DIR = "/usr/lib/chromium/";

export const PRODUCT_ROLES = [
  "host-relay",
  "host-daemon",
  "swift-capture",
  "ffmpeg",
  "sessions-audio",
  "extension",
] as const;
export type Role = (typeof PRODUCT_ROLES)[number] | "chromium-other" | "other";

export interface ProcInfo {
  pid: number;
  ppid: number;
  comm: string;
  args: string[];
  /** The arguments joined by spaces: Chromium's children rewrite theirs into one string. */
  cmdline: string;
  /** Start time in clock ticks since boot. */
  startTicks: number;
  cpuTicks: number;
}

export interface ProcSample extends ProcInfo {
  role: Role;
  rssBytes: number;
  pssBytes: number;
  /** PSS split by what backs it: anonymous memory (heaps), files (code, fonts), shared memory. */
  pssAnonBytes: number;
  pssFileBytes: number;
  pssShmemBytes: number;
}

/** Clock ticks since boot now (the unit of a process's start time). */
export function nowTicks(): number {
  const up = Number(fs.readFileSync("/proc/uptime", "utf8").split(" ")[0]);
  return Math.floor(up * TICKS_PER_SECOND);
}

export const ticksToSeconds = (t: number) => t / TICKS_PER_SECOND;

export function readProc(pid: number): ProcInfo | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    // Fields after ")" start at field 3: ppid = 4, utime = 14, stime = 15, starttime = 22.
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const args = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    return {
      pid,
      ppid: Number(f[1]),
      comm,
      args,
      cmdline: args.join(" "),
      startTicks: Number(f[19]),
      cpuTicks: Number(f[11]) + Number(f[12]),
    };
  } catch {
    return null; // exited meanwhile
  }
}

type Memory = Pick<ProcSample, "rssBytes" | "pssBytes" | "pssAnonBytes" | "pssFileBytes" | "pssShmemBytes">;

function memory(pid: number): Memory {
  try {
    const text = fs.readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
    const kb = (key: string) => Number(text.match(new RegExp(`^${key}:\\s+(\\d+) kB`, "m"))?.[1] ?? 0) * 1024;
    return {
      rssBytes: kb("Rss"),
      pssBytes: kb("Pss"),
      pssAnonBytes: kb("Pss_Anon"),
      pssFileBytes: kb("Pss_File"),
      pssShmemBytes: kb("Pss_Shmem"),
    };
  } catch {
    return { rssBytes: 0, pssBytes: 0, pssAnonBytes: 0, pssFileBytes: 0, pssShmemBytes: 0 };
  }
}

function hasMarker(pid: number, marker: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").includes(marker);
  } catch {
    return false;
  }
}

/** The host bundle under Node, the launcher, or the native relay (which is handed the bundle's path). */
function isHost(p: ProcInfo): boolean {
  if (p.args.some((a) => path.basename(a) === "host.mjs")) return true;
  return ["sessions-host", "sessions-relay"].includes(path.basename(p.args[0] ?? ""));
}

export interface OwnershipRule {
  /** Clock ticks since boot when the run began. */
  sinceTicks: number;
  /** `NAME=value` that the run's own processes carry in their environment. */
  marker: string;
  /** The browser process this run launched. */
  chromiumPid: number;
}

/** Every process of this run with its role (no memory read). */
export function classify(rule: OwnershipRule, extensionPid: number | null): (ProcInfo & { role: Role })[] {
  const all = fs
    .readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .map((d) => readProc(Number(d)))
    .filter((p): p is ProcInfo => p !== null);
  const ours = new Set<number>();
  const chromium = new Set<number>([rule.chromiumPid]);
  for (const p of all)
    if (p.pid === rule.chromiumPid || (p.startTicks >= rule.sinceTicks && hasMarker(p.pid, rule.marker)))
      ours.add(p.pid);
  // Descendants, to a fixed point (a child may be listed before its parent).
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) {
      if (!ours.has(p.pid) && ours.has(p.ppid)) {
        ours.add(p.pid);
        grew = true;
      }
      if (!chromium.has(p.pid) && chromium.has(p.ppid) && !isHost(p)) {
        chromium.add(p.pid);
        grew = true;
      }
    }
  }
  const byPid = new Map(all.map((p) => [p.pid, p]));
  const descendsFrom = (p: ProcInfo, comm: string) => {
    for (let q = byPid.get(p.ppid); q; q = byPid.get(q.ppid)) if (q.comm === comm) return true;
    return false;
  };
  return all
    .filter((p) => ours.has(p.pid))
    .map((p) => {
      let role: Role = "other";
      if (p.pid === extensionPid) role = "extension";
      else if (isHost(p)) role = p.args.includes("--daemon") ? "host-daemon" : "host-relay";
      else if (p.comm === "swift-capture") role = "swift-capture";
      else if (p.comm === "ffmpeg" && descendsFrom(p, "swift-capture")) role = "ffmpeg";
      else if (p.comm === "sessions-audio") role = "sessions-audio";
      else if (chromium.has(p.pid) || p.cmdline.startsWith(CHROMIUM_DIR)) role = "chromium-other";
      return { ...p, role };
    });
}

/** Every process of this run with its role, CPU ticks and memory. */
export function sampleProducts(rule: OwnershipRule, extensionPid: number | null): ProcSample[] {
  return classify(rule, extensionPid).map((p) => ({ ...p, ...memory(p.pid) }));
}
