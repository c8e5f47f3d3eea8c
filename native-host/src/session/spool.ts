/**
 * The spool: finished media waiting for the extension to commit it. Each item is the child's
 * file plus a `<file>.item.json` sidecar the host writes when it learns of the file, so a host
 * that was killed and started again can offer everything still unacknowledged. An item is
 * deleted only after the extension acknowledged it.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";

export const SpoolItem = z.object({
  sessionId: z.string(),
  kind: z.enum(["video", "audio", "screenshot"]),
  seq: z.number().int().min(0),
  path: z.string(),
  mime: z.string(),
  bytes: z.number().int().min(0),
  startUs: z.number().int().min(0),
  endUs: z.number().int().min(0),
  units: z.number().int().min(0),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  phash: z.string().optional(),
});
export type SpoolItem = z.infer<typeof SpoolItem>;

export function defaultSpoolRoot(env = process.env): string {
  return env.SESSIONS_SPOOL_DIR ?? path.join(os.tmpdir(), `sessions-spool-${process.getuid?.() ?? "user"}`);
}

export class Spool {
  constructor(readonly root: string) {
    fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  }

  sessionDir(sessionId: string): string {
    const dir = path.join(this.root, sessionId);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  }

  /** Records an item durably (sidecar written atomically) before it is offered to the extension. */
  record(item: SpoolItem): void {
    const side = `${item.path}.item.json`;
    fs.writeFileSync(`${side}.tmp`, JSON.stringify(item));
    fs.renameSync(`${side}.tmp`, side);
  }

  remove(item: SpoolItem): void {
    fs.rmSync(item.path, { force: true });
    fs.rmSync(`${item.path}.item.json`, { force: true });
  }

  /** Every recorded item still in the spool, oldest session first, in sequence order. */
  scan(): SpoolItem[] {
    const items: SpoolItem[] = [];
    if (!fs.existsSync(this.root)) return items;
    for (const session of fs.readdirSync(this.root)) {
      const dir = path.join(this.root, session);
      if (!fs.statSync(dir).isDirectory()) continue;
      for (const f of fs.readdirSync(dir).filter((n) => n.endsWith(".item.json"))) {
        try {
          const item = SpoolItem.parse(JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")));
          if (fs.existsSync(item.path)) items.push(item);
        } catch {
          // a torn sidecar: the file stays for inspection, it is not offered
        }
      }
    }
    return items.sort(
      (a, b) => a.sessionId.localeCompare(b.sessionId) || a.kind.localeCompare(b.kind) || a.seq - b.seq,
    );
  }

  freeBytes(): number {
    try {
      const s = fs.statfsSync(this.root);
      return s.bavail * s.bsize;
    } catch {
      return 0;
    }
  }
}
