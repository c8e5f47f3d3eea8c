/**
 * Host benchmark: framing encode/decode throughput in-process, and round trips through a real
 * host process over real pipes. Writes bench-results/host.json.
 */
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { EXTENSION_ORIGIN, MEDIA_PART_BYTES } from "@sessions/shared";
import { startHost } from "../../native-host/src/__tests__/host-process";
import { FrameDecoder } from "../../native-host/src/framing/frame-decoder";
import { encodeFrame } from "../../native-host/src/framing/frame-encoder";
import { machine } from "../../scripts/bench-machine.mjs";

const health = {
  type: "health",
  sessionId: "bench",
  ts: 123456789,
  level: "ok",
  warnings: [],
  video: { fps: 30, framesOut: 900, dropped: 0, duplicated: 3, encodeLagMs: 4.2, sources: [] },
  audio: null,
  host: { queueDepth: 0, unacknowledged: 1, diskFreeBytes: 5e10, rssBytes: 6e7 },
};
const segmentPart = {
  type: "segment",
  sessionId: "bench",
  track: "video",
  seq: 1,
  part: 0,
  parts: 3,
  mime: "video/mp4",
  sha256: "0".repeat(64),
  bytes: 2_000_000,
  startUs: 0,
  endUs: 10_000_000,
  units: 300,
  data: Buffer.alloc(MEDIA_PART_BYTES, 7).toString("base64"),
};

function timeIt(minMs: number, fn: () => number): { ops: number; bytes: number; ms: number } {
  let ops = 0;
  let bytes = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    bytes += fn();
    ops++;
  }
  return { ops, bytes, ms: performance.now() - start };
}

function rate(r: { ops: number; bytes: number; ms: number }) {
  return { messagesPerSec: Math.round((r.ops / r.ms) * 1000), MBPerSec: +(r.bytes / 1e6 / (r.ms / 1000)).toFixed(1) };
}

function decodeBench(message: unknown, count: number) {
  const r = decodeRuns(message, count);
  return { messagesPerSec: Math.round(((r.ops * count) / r.ms) * 1000), MBPerSec: rate(r).MBPerSec };
}

function decodeRuns(message: unknown, count: number) {
  const stream = Buffer.concat(Array.from({ length: count }, () => encodeFrame(message)));
  const chunks: Buffer[] = [];
  for (let i = 0; i < stream.length; i += 65536) chunks.push(stream.subarray(i, i + 65536)); // pipe-sized reads
  return timeIt(1500, () => {
    const d = new FrameDecoder();
    let n = 0;
    for (const c of chunks) n += d.push(c).length;
    if (n !== count) throw new Error("decode lost frames");
    return stream.length;
  });
}

async function roundTrips() {
  const host = startHost([EXTENSION_ORIGIN]);
  host.send({ type: "hello", id: "h", protocol: 1, extensionVersion: "bench" });
  await host.take(1);
  const latencies: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const t = performance.now();
    host.send({ type: "ping", id: `l${i}` });
    await host.take(1);
    latencies.push(performance.now() - t);
  }
  latencies.sort((a, b) => a - b);
  const pipelined = 20_000;
  const t = performance.now();
  for (let i = 0; i < pipelined; i++) host.send({ type: "ping", id: `p${i}` });
  await host.take(pipelined, 60_000);
  const ms = performance.now() - t;
  host.child.stdin.end();
  await host.exited;
  const q = (p: number) => +(latencies[Math.floor(p * (latencies.length - 1))] as number).toFixed(3);
  return {
    sequentialPing: { p50Ms: q(0.5), p99Ms: q(0.99), maxMs: q(1) },
    pipelinedPingsPerSec: Math.round((pipelined / ms) * 1000),
  };
}

const smallJson = JSON.stringify(health).length;
const results = {
  encodeHealth: { ...rate(timeIt(1500, () => encodeFrame(health).length)), frameBytes: smallJson + 4 },
  encodeSegmentPart: {
    ...rate(timeIt(1500, () => encodeFrame(segmentPart).length)),
    frameBytes: JSON.stringify(segmentPart).length + 4,
  },
  decodeHealth: decodeBench(health, 10_000),
  decodeSegmentPart: decodeBench(segmentPart, 20),
  hostProcess: await roundTrips(),
};
const out = {
  name: "host",
  machine: machine(),
  results,
  targets: { note: "no fixed target in the issue; compare runs on one machine" },
};
fs.mkdirSync(path.resolve("bench-results"), { recursive: true });
fs.writeFileSync(path.resolve("bench-results/host.json"), `${JSON.stringify(out, null, 2)}\n`);
console.log(JSON.stringify(results, null, 2));
