import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { EXTENSION_ORIGIN, type HostMessage } from "@sessions/shared";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type HostProcess, replyTo, startHost } from "../../native-host/src/__tests__/host-process";
import { type Desktop, startDesktop } from "../support/desktop";
import { probe, reassemble } from "./media";

const ROOT = path.resolve(import.meta.dirname, "../..");
const LAUNCH = path.join(ROOT, "swift-capture/.build/launch.json");
const AUDIO_BIN = path.join(ROOT, "audio-pipeline/target/release/sessions-audio");
const hosts: HostProcess[] = [];
let desktop: Desktop;

beforeAll(async () => {
  for (const f of [LAUNCH, AUDIO_BIN]) if (!fs.existsSync(f)) throw new Error(`${f} missing: run scripts/build.sh`);
  desktop = await startDesktop({ windows: ["IT One", "IT Two", "IT Three"] });
}, 60_000);
afterAll(async () => {
  await desktop?.stop();
});
afterEach(() => {
  for (const h of hosts.splice(0)) h.kill();
});

async function host(): Promise<HostProcess> {
  const spool = fs.mkdtempSync(path.join(os.tmpdir(), "sessions-it-spool-"));
  const h = startHost([EXTENSION_ORIGIN], {
    ...desktop.env,
    SESSIONS_SPOOL_DIR: spool,
    SESSIONS_AUDIO_ARGV: JSON.stringify([AUDIO_BIN]),
  });
  hosts.push(h);
  h.send({ type: "hello", id: "h", protocol: 1, extensionVersion: "it" });
  const [hello] = await h.take(1);
  expect(hello).toMatchObject({ type: "hello", capabilities: expect.arrayContaining(["capture.window", "audio.mic"]) });
  return h;
}

const states = (ms: HostMessage[]) =>
  ms.filter((m) => m.type === "session.state").map((m) => (m as { state: string }).state);

describe("host + real swift-capture (+ sessions-audio)", () => {
  it("lists the real X11 windows and records two of them in a grid, then a third added live; segments decode", async () => {
    const h = await host();
    h.send({ type: "sources.list", id: "src" });
    const listed = (await h.until(replyTo("src"), 20_000)).at(-1) as unknown as {
      windows: { id: string; title: string }[];
    };
    const id = (t: string) => {
      const w = listed.windows.find((x) => x.title === t);
      if (!w) throw new Error(`${t} not in ${JSON.stringify(listed.windows.map((x) => x.title))}`);
      return w.id;
    };
    h.send({
      type: "session.start",
      id: "start",
      sessionId: "it-grid",
      video: {
        sources: [
          { id: id("IT One"), kind: "window" },
          { id: id("IT Two"), kind: "window" },
        ],
        layout: "grid",
        fps: 30,
        maxWidth: 1280,
        maxHeight: 720,
      },
      audio: { mic: { device: "synthetic:tone:440", gain: 0.5 }, system: null },
      segmentSeconds: 2,
    });
    const started = await h.until(replyTo("start"), 20_000);
    expect(states(started)).toEqual(["starting", "recording"]);
    await h.until((m) => m.type === "segment" && m.track === "video" && m.seq === 0, 20_000);
    h.send({
      type: "session.addSource",
      id: "add",
      sessionId: "it-grid",
      source: { id: id("IT Three"), kind: "window" },
    });
    const afterAdd = await h.until(replyTo("add"), 10_000);
    expect(afterAdd.at(-1)).toMatchObject({ type: "result" });
    const more = await h.until((m) => m.type === "segment" && m.track === "video" && m.seq === 2, 20_000);
    h.send({ type: "session.stop", id: "stop", sessionId: "it-grid" });
    const end = await h.until(replyTo("stop"), 20_000);
    const all = [...started, ...afterAdd, ...more, ...end];
    expect(states(all)).toEqual(["starting", "recording", "stopping", "stopped"]);
    expect(all.some((m) => m.type === "timeline" && m.kind === "source-added")).toBe(true);

    const video = reassemble(all).filter((i) => i.key.includes("/video/"));
    expect(video.length).toBeGreaterThanOrEqual(3);
    for (const v of video.slice(0, -1)) {
      const p = probe(v.data, "mp4");
      expect(p).toMatchObject({ codec: "h264", width: 1280, height: 720 });
      expect(p.frames).toBeGreaterThanOrEqual(55); // 2 s at 30 fps, every output tick filled
      expect(p.frames).toBeLessThanOrEqual(61);
    }
    const syncs = all.filter((m) => m.type === "sync") as Extract<HostMessage, { type: "sync" }>[];
    expect(syncs.length).toBeGreaterThanOrEqual(2);
    for (const s of syncs) expect(Math.abs(s.offsetUs)).toBeLessThan(40_000);
    expect(all.some((m) => m.type === "health" && m.video && m.audio)).toBe(true);
  }, 120_000);

  it("swift-capture killed mid-recording is restarted; the gap is a timeline event and the session goes on", async () => {
    const h = await host();
    h.send({
      type: "session.start",
      id: "start",
      sessionId: "it-crash",
      video: {
        sources: [{ id: "test-pattern:640x360", kind: "test-pattern" }],
        layout: "passthrough",
        fps: 30,
        maxWidth: 640,
        maxHeight: 360,
      },
      audio: { mic: { device: "synthetic:tone:440", gain: 1 }, system: null },
      segmentSeconds: 1,
    });
    await h.until(replyTo("start"), 20_000);
    await h.until((m) => m.type === "segment" && m.track === "video", 20_000);
    const daemon = await h.waitDaemon();
    const capturePid = fs
      .readFileSync(`/proc/${daemon}/task/${daemon}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .map(Number)
      .find((p) => fs.readFileSync(`/proc/${p}/cmdline`, "utf8").includes("swift-capture"));
    expect(capturePid).toBeDefined();
    process.kill(capturePid as number, "SIGKILL");
    const after = await h.until((m) => m.type === "timeline" && m.kind === "gap", 20_000);
    expect(after.some((m) => m.type === "timeline" && m.kind === "child-restarted")).toBe(true);
    const gap = JSON.parse((after.at(-1) as { detail: string }).detail) as {
      track: string;
      fromUs: number;
      toUs: number;
    };
    expect(gap.track).toBe("video");
    expect(gap.toUs).toBeGreaterThan(gap.fromUs);
    // video keeps coming after the restart, and the session stops normally
    await h.until((m) => m.type === "segment" && m.track === "video", 20_000);
    h.send({ type: "session.stop", id: "stop", sessionId: "it-crash" });
    const end = await h.until(replyTo("stop"), 20_000);
    expect(states(end)).toEqual(["stopping", "stopped"]);
    expect(after.every((m) => !(m.type === "session.state" && m.state === "failed"))).toBe(true);
  }, 120_000);
});
