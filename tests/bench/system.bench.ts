/**
 * The product's recording path as a whole, without the browser UI: the built host driving the
 * real swift-capture and sessions-audio, recording two real X11 windows in a grid at 30 fps with
 * system audio from PulseAudio, acknowledging segments as the extension would. Measures dropped
 * frames, audio overruns, A/V drift at the end, CPU and RSS of host + children, and host→extension
 * throughput. BENCH_SECONDS sets the length (default 600). Writes bench-results/system.json.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { EXTENSION_ORIGIN, type HostMessage } from "@sessions/shared";
import { NATIVE_RELAY, replyTo, startHost } from "../../native-host/src/__tests__/host-process";
import { machine } from "../../scripts/bench-machine.mjs";
import { startDesktop } from "../support/desktop";
import { treeStats } from "../support/proc-stats";

const seconds = Number(process.env.BENCH_SECONDS ?? 600);
const desktop = await startDesktop({ windows: ["Bench A", "Bench B"], audio: true });
const spool = fs.mkdtempSync(path.join(os.tmpdir(), "sessions-bench-spool-"));
// As the launcher does: the native relay when it is built, else the bundle's Node relay.
const relay = fs.existsSync(NATIVE_RELAY) ? "native" : "node";
const host = startHost([EXTENSION_ORIGIN], { ...desktop.env, SESSIONS_SPOOL_DIR: spool }, { relay });
try {
  host.send({ type: "hello", id: "h", protocol: 1, extensionVersion: "bench" });
  const [hello] = (await host.take(1)) as Extract<HostMessage, { type: "hello" }>[];
  for (const need of ["capture.window", "audio.system"])
    if (!hello?.capabilities.includes(need))
      throw new Error(`host lacks ${need}: build swift-capture and sessions-audio first`);
  host.send({ type: "sources.list", id: "src" });
  const listed = (await host.until(replyTo("src"), 20_000)).at(-1) as unknown as {
    windows: { id: string; title: string }[];
  };
  const ids = ["Bench A", "Bench B"].map((t) => {
    const w = listed.windows.find((x) => x.title === t);
    if (!w) throw new Error(`window ${t} not listed: ${JSON.stringify(listed.windows)}`);
    return w.id;
  });
  host.send({
    type: "session.start",
    id: "start",
    sessionId: "bench",
    video: {
      sources: ids.map((id) => ({ id, kind: "window" })),
      layout: "grid",
      fps: 30,
      maxWidth: 1280,
      maxHeight: 720,
    },
    audio: { mic: null, system: { gain: 1 } },
    segmentSeconds: 10,
  });
  await host.until(replyTo("start"), 20_000);

  // The browser's host process is a relay; the recording runs in the daemon it started.
  const daemon = await host.waitDaemon();
  const roots = [host.child.pid as number, daemon];
  const labels = new Map([
    [host.child.pid as number, `host relay (${relay})`],
    [daemon, "recorder daemon (node)"],
  ]);
  const t0 = Date.now();
  const cpu0 = treeStats(roots, labels).cpuSeconds;
  let bytes = 0;
  type Health = Extract<HostMessage, { type: "health" }>;
  const last: { video: Health | null; audio: Health | null; sync: Extract<HostMessage, { type: "sync" }> | null } = {
    video: null,
    audio: null,
    sync: null,
  };
  let rssMax = 0;
  let pssMax = 0;
  const rssSamples: number[] = [];
  const consume = (msgs: HostMessage[]) => {
    for (const m of msgs) {
      if (m.type === "segment" || m.type === "screenshot") {
        bytes += Buffer.byteLength(m.data, "base64");
        if (m.part === m.parts - 1)
          host.send({
            type: "segment.ack",
            id: `a${m.seq}${m.type}`,
            sessionId: "bench",
            track: m.type === "segment" ? m.track : "screenshot",
            seq: m.seq,
          });
      }
      if (m.type === "health") {
        if (m.video) last.video = m;
        if (m.audio) last.audio = m;
      }
      if (m.type === "sync") last.sync = m;
    }
  };
  while (Date.now() - t0 < seconds * 1000) {
    const tick = Date.now();
    consume(await host.until(() => Date.now() - tick > 5000, 30_000).catch(() => []));
    const s = treeStats(roots, labels);
    rssMax = Math.max(rssMax, s.rssBytes);
    pssMax = Math.max(pssMax, s.pssBytes);
    rssSamples.push(s.rssBytes);
  }
  const cpu1 = treeStats(roots, labels);
  host.send({ type: "session.stop", id: "stop", sessionId: "bench" });
  consume(await host.until(replyTo("stop"), 30_000));
  const wall = (Date.now() - t0) / 1000;
  const v = last.video?.video;
  const a = last.audio?.audio;
  const lastSync = last.sync;
  const results = {
    seconds: +wall.toFixed(1),
    video: v
      ? {
          framesOut: v.framesOut,
          dropped: v.dropped,
          duplicated: v.duplicated,
          droppedPct: +((100 * v.dropped) / Math.max(1, v.framesOut + v.dropped)).toFixed(3),
          encodeLagMs: v.encodeLagMs,
        }
      : null,
    audio: a ? { overruns: a.overruns, droppedSamples: a.droppedSamples, bufferFill: a.bufferFill } : null,
    avSync: lastSync ? { offsetUsAtEnd: lastSync.offsetUs, driftUsAtEnd: lastSync.driftUs } : null,
    cpuPercentOfOneCore: +((100 * (cpu1.cpuSeconds - cpu0)) / wall).toFixed(1),
    pssMB: { max: +(pssMax / 1e6).toFixed(1), end: +(cpu1.pssBytes / 1e6).toFixed(1) },
    rssMB: {
      max: +(rssMax / 1e6).toFixed(1),
      end: +(cpu1.rssBytes / 1e6).toFixed(1),
      byProcessAtEnd: Object.fromEntries(Object.entries(cpu1.byCommand).map(([k, b]) => [k, +(b / 1e6).toFixed(1)])),
    },
    transferMBPerSec: +(bytes / 1e6 / wall).toFixed(3),
    browserProcesses:
      "not included: this bench drives the host directly; system-browser.json has the product through Chromium",
  };
  const out = {
    name: "system",
    machine: machine(),
    results,
    targets: { droppedPct: "< 0.5", rssMBHostAndChildren: "< 150 (with the extension)", avDriftMs: "< 40" },
  };
  fs.mkdirSync("bench-results", { recursive: true });
  fs.writeFileSync("bench-results/system.json", `${JSON.stringify(out, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
} finally {
  host.child.stdin.end();
  await Promise.race([host.exited, new Promise((r) => setTimeout(r, 12_000))]);
  host.kill();
  await desktop.stop();
}
