/** Test support: reassembling media parts the way the extension does, and probing them with ffprobe. */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { HostMessage } from "@sessions/shared";

type Part = Extract<HostMessage, { type: "segment" | "screenshot" }>;

export interface Item {
  key: string;
  first: Part;
  data: Buffer;
}

/** Joins parts per (session, type/track, seq); checks part order and the sha256 of the whole. */
export function reassemble(messages: HostMessage[]): Item[] {
  const open = new Map<string, { first: Part; chunks: Buffer[] }>();
  const done: Item[] = [];
  for (const m of messages) {
    if (m.type !== "segment" && m.type !== "screenshot") continue;
    const key = `${m.sessionId}/${m.type === "segment" ? m.track : "screenshot"}/${m.seq}`;
    const entry = open.get(key) ?? { first: m, chunks: [] };
    if (m.part !== entry.chunks.length) throw new Error(`${key}: part ${m.part} out of order`);
    entry.chunks.push(Buffer.from(m.data, "base64"));
    open.set(key, entry);
    if (entry.chunks.length === m.parts) {
      const data = Buffer.concat(entry.chunks);
      const sha = createHash("sha256").update(data).digest("hex");
      if (sha !== m.sha256 || data.length !== m.bytes) throw new Error(`${key}: checksum or size mismatch`);
      done.push({ key, first: entry.first, data });
      open.delete(key);
    }
  }
  return done;
}

export interface Probe {
  codec: string;
  durationS: number;
  width?: number;
  height?: number;
  frames?: number;
}

/** Decodes the whole file with ffprobe (counting frames), failing loudly if ffprobe is missing. */
export function probe(data: Buffer, ext: string): Probe {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sessions-probe-")), `item.${ext}`);
  fs.writeFileSync(file, data);
  const out = execFileSync(
    "ffprobe",
    [
      "-v",
      "error",
      "-count_frames",
      "-show_entries",
      "stream=codec_name,width,height,nb_read_frames:format=duration",
      "-of",
      "json",
      file,
    ],
    { encoding: "utf8" },
  );
  const j = JSON.parse(out) as {
    streams: { codec_name: string; width?: number; height?: number; nb_read_frames?: string }[];
    format: { duration?: string };
  };
  const s = j.streams[0];
  if (!s) throw new Error(`ffprobe found no stream in ${file}`);
  return {
    codec: s.codec_name,
    durationS: Number(j.format.duration ?? 0),
    width: s.width,
    height: s.height,
    frames: s.nb_read_frames ? Number(s.nb_read_frames) : undefined,
  };
}
