/** CPU time and resident memory of a process tree, read from /proc (Linux). */
import fs from "node:fs";

const TICKS = 100; // USER_HZ on Linux
const PAGE = 4096;

function children(pid: number): number[] {
  try {
    return fs
      .readdirSync(`/proc/${pid}/task`)
      .flatMap((t) => fs.readFileSync(`/proc/${pid}/task/${t}/children`, "utf8").trim().split(/\s+/))
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

export function tree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...children(out[i] as number));
  return out;
}

/**
 * CPU seconds (including reaped children), RSS and PSS bytes of the trees under `roots`, plus RSS
 * per command (or per `labels` entry: two Node processes both call themselves MainThread).
 * PSS splits shared pages (libavcodec, libswiftCore) between the processes mapping them, so the
 * tree's PSS is the honest "memory these processes cost together"; RSS counts them once per process.
 */
export function treeStats(
  roots: number | number[],
  labels: ReadonlyMap<number, string> = new Map(),
): {
  cpuSeconds: number;
  rssBytes: number;
  pssBytes: number;
  byCommand: Record<string, number>;
} {
  let ticks = 0;
  let pages = 0;
  let pss = 0;
  const byCommand: Record<string, number> = {};
  const pids = [...new Set((Array.isArray(roots) ? roots : [roots]).flatMap(tree))];
  for (const p of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // fields after ")" start at field 3: utime=14, stime=15, cutime=16, cstime=17, rss=24
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
      const rss = Number(f[21]) * PAGE;
      pages += Number(f[21]);
      const name = labels.get(p) ?? comm;
      byCommand[name] = (byCommand[name] ?? 0) + rss;
      const rollup = fs.readFileSync(`/proc/${p}/smaps_rollup`, "utf8").match(/^Pss:\s+(\d+) kB/m);
      if (rollup) pss += Number(rollup[1]) * 1024;
    } catch {
      // exited between listing and reading
    }
  }
  return { cpuSeconds: ticks / TICKS, rssBytes: pages * PAGE, pssBytes: pss, byCommand };
}
