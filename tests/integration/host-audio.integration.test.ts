import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { EXTENSION_ORIGIN, type HostMessage } from "@sessions/shared";
import { afterEach, describe, expect, it } from "vitest";
import { type HostProcess, startHost } from "../../native-host/src/__tests__/host-process";
import { probe, reassemble } from "./media";

const AUDIO_BIN = path.resolve(import.meta.dirname, "../../audio-pipeline/target/release/sessions-audio");
const hosts: HostProcess[] = [];
afterEach(() => {
  for (const h of hosts.splice(0)) h.kill();
});

function host(spool: string, runtimeDir?: string, env: NodeJS.ProcessEnv = {}): HostProcess {
  if (!fs.existsSync(AUDIO_BIN)) throw new Error(`${AUDIO_BIN} missing: build the audio pipeline first`);
  const h = startHost([EXTENSION_ORIGIN], {
    SESSIONS_SPOOL_DIR: spool,
    SESSIONS_AUDIO_ARGV: JSON.stringify([AUDIO_BIN]),
    SESSIONS_CAPTURE_ARGV: "",
    ...(runtimeDir ? { SESSIONS_RUNTIME_DIR: runtimeDir } : {}),
    ...env,
  });
  hosts.push(h);
  return h;
}

async function handshake(h: HostProcess) {
  h.send({ type: "hello", id: "h", protocol: 1, extensionVersion: "it" });
  const [reply] = await h.take(1);
  return reply as Extract<HostMessage, { type: "hello" }>;
}

const startAudio = (sessionId: string) => ({
  type: "session.start",
  id: "start",
  sessionId,
  video: null,
  audio: { mic: { device: "synthetic:tone:440", gain: 1 }, system: null },
  segmentSeconds: 1,
});

/** Children of a process, from /proc. */
function childPids(pid: number): number[] {
  const dir = `/proc/${pid}/task`;
  return fs
    .readdirSync(dir)
    .flatMap((t) => fs.readFileSync(`${dir}/${t}/children`, "utf8").trim().split(/\s+/))
    .filter(Boolean)
    .map(Number);
}
const alive = (pid: number) =>
  fs.existsSync(`/proc/${pid}`) && !/\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));

describe("host + real sessions-audio", () => {
  it("records, sends segments in checksummed parts that decode as Opus, deletes them only when acknowledged", async () => {
    const spool = fs.mkdtempSync(path.join(os.tmpdir(), "sessions-it-spool-"));
    const h = host(spool);
    expect((await handshake(h)).capabilities).toEqual(expect.arrayContaining(["audio.mic", "audio.system"]));
    h.send(startAudio("it-audio"));
    const started = await h.until((m) => m.type === "result" && m.id === "start", 15_000);
    expect(started.filter((m) => m.type === "session.state").map((m) => (m as { state: string }).state)).toEqual([
      "starting",
      "recording",
    ]);

    const during = await h.until((m) => m.type === "segment" && m.seq === 2, 15_000);
    const segments = reassemble(during);
    expect(segments.length).toBe(3);
    for (const s of segments) {
      const p = probe(s.data, "webm");
      expect(p.codec).toBe("opus");
      expect(s.first.type === "segment" && s.first.mime).toMatch(/^audio\/webm/);
    }
    expect(during.some((m) => m.type === "health" && m.audio !== null)).toBe(true);
    // the spool keeps every unacknowledged item
    const spooled = () => fs.readdirSync(path.join(spool, "it-audio")).filter((f) => f.endsWith(".webm"));
    expect(spooled().length).toBeGreaterThanOrEqual(3);
    for (const s of segments)
      h.send({ type: "segment.ack", id: `ack-${s.key}`, sessionId: "it-audio", track: "audio", seq: s.first.seq });
    await h.until((m) => m.type === "result" && m.id === `ack-${segments[2]?.key}`);

    h.send({ type: "session.stop", id: "stop", sessionId: "it-audio" });
    const stopping = await h.until((m) => m.type === "result" && m.id === "stop", 15_000);
    expect(stopping.filter((m) => m.type === "session.state").map((m) => (m as { state: string }).state)).toEqual([
      "stopping",
      "stopped",
    ]);
    const rest = reassemble(stopping);
    for (const s of rest)
      h.send({
        type: "segment.ack",
        id: `ack2-${s.first.seq}`,
        sessionId: "it-audio",
        track: "audio",
        seq: s.first.seq,
      });
    h.send({ type: "session.status", id: "status" });
    const status = await h.until((m) => m.type === "result" && m.id === "status");
    expect(status.at(-1)).toMatchObject({ session: null, unacknowledged: 0 });
    expect(spooled()).toEqual([]);
    // an unknown ack is NOT_FOUND, and the host stays up
    h.send({ type: "segment.ack", id: "again", sessionId: "it-audio", track: "audio", seq: 0 });
    expect((await h.until((m) => m.type === "error" && m.id === "again")).at(-1)).toMatchObject({ code: "NOT_FOUND" });
  }, 60_000);

  it("a second start while recording is BUSY", async () => {
    const h = host(fs.mkdtempSync(path.join(os.tmpdir(), "sessions-it-spool-")));
    await handshake(h);
    h.send(startAudio("busy-1"));
    await h.until((m) => m.type === "result" && m.id === "start", 15_000);
    h.send({ ...startAudio("busy-2"), id: "start2" });
    expect((await h.until((m) => m.type === "error" && m.id === "start2")).at(-1)).toMatchObject({
      code: "BUSY",
      retryable: true,
    });
    h.send({ type: "session.stop", id: "stop", sessionId: "busy-1" });
    await h.until((m) => m.type === "result" && m.id === "stop", 15_000);
  }, 60_000);

  it("the browser's host process killed mid-session: the daemon records on; a new one reattaches and gets all of it", async () => {
    const spool = fs.mkdtempSync(path.join(os.tmpdir(), "sessions-it-spool-"));
    const a = host(spool);
    await handshake(a);
    a.send(startAudio("relay-killed"));
    await a.until((m) => m.type === "result" && m.id === "start", 15_000);
    await a.until((m) => m.type === "segment" && m.seq === 0, 15_000);
    const daemon = await a.waitDaemon();
    const [child] = childPids(daemon);
    a.child.kill("SIGKILL");
    await a.exited;
    // Nobody attached for 2.5 s: the recording goes on (1 s segments keep landing in the spool).
    await new Promise((r) => setTimeout(r, 2500));
    expect(alive(daemon) && alive(child as number)).toBe(true);

    const b = host(spool, a.runtimeDir);
    await handshake(b);
    b.send({ type: "session.status", id: "status" });
    const status = (await b.until((m) => m.type === "result" && m.id === "status")).at(-1);
    expect(status).toMatchObject({ session: { sessionId: "relay-killed", state: "recording" } });
    expect((status as unknown as { unacknowledged: number }).unacknowledged).toBeGreaterThanOrEqual(3);
    b.send({ type: "segments.resend", id: "resend" });
    const got = await b.until((m) => m.type === "result" && m.id === "resend");
    b.send({ type: "session.stop", id: "stop", sessionId: "relay-killed" });
    got.push(...(await b.until((m) => m.type === "session.state" && m.state === "stopped", 15_000)));
    const seqs = [...new Set(reassemble(got).map((i) => i.first.seq))].sort((x, y) => x - y);
    // Every segment from the first to the last arrived on the new connection: no hole where no one listened.
    expect(seqs[0]).toBe(0);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    expect(seqs.length).toBeGreaterThanOrEqual(4);
  }, 60_000);

  it("a session no extension comes back to is stopped after the grace; the next connection gets its held events and media", async () => {
    const spool = fs.mkdtempSync(path.join(os.tmpdir(), "sessions-it-spool-"));
    const a = host(spool, undefined, { SESSIONS_ORPHAN_GRACE_MS: "1500" });
    await handshake(a);
    a.send(startAudio("orphan"));
    await a.until((m) => m.type === "result" && m.id === "start", 15_000);
    const daemon = await a.waitDaemon();
    const [child] = childPids(daemon);
    a.child.stdin.end();
    await a.exited;
    const deadline = Date.now() + 10_000;
    while (alive(child as number) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(alive(child as number), "the orphaned session's child was stopped").toBe(false);
    expect(alive(daemon), "the daemon waits for the next connection a while").toBe(true);

    const b = host(spool, a.runtimeDir);
    await handshake(b);
    b.send({ type: "session.status", id: "status" });
    const got = await b.until((m) => m.type === "result" && m.id === "status");
    expect(got.filter((m) => m.type === "session.state").map((m) => (m as { state: string }).state)).toEqual([
      "stopping",
      "stopped",
    ]);
    expect(got.at(-1)).toMatchObject({ session: null });
    b.send({ type: "segments.resend", id: "resend" });
    const resent = await b.until((m) => m.type === "result" && m.id === "resend");
    const seqs = reassemble(resent).map((i) => i.first.seq);
    expect(seqs[0]).toBe(0);
    expect(seqs.length).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it("the daemon killed with SIGKILL: its child exits too, and a new host offers what was not acknowledged", async () => {
    const spool = fs.mkdtempSync(path.join(os.tmpdir(), "sessions-it-spool-"));
    const a = host(spool);
    await handshake(a);
    a.send(startAudio("killed"));
    await a.until((m) => m.type === "result" && m.id === "start", 15_000);
    const before = reassemble(await a.until((m) => m.type === "segment" && m.seq === 1, 15_000));
    const daemon = await a.waitDaemon();
    const children = childPids(daemon);
    expect(children.length).toBe(1);
    process.kill(daemon, "SIGKILL");
    expect((await a.exited).code, "the browser's port closes with the daemon").toBe(1);
    const deadline = Date.now() + 3000;
    while (children.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(children.filter(alive)).toEqual([]);

    const b = host(spool, a.runtimeDir);
    await handshake(b);
    expect(await b.waitDaemon()).not.toBe(daemon);
    b.send({ type: "segments.resend", id: "resend" });
    const resent = await b.until((m) => m.type === "result" && m.id === "resend");
    const count = (resent.at(-1) as unknown as { count: number }).count;
    expect(count).toBeGreaterThanOrEqual(before.length);
    const items = reassemble(resent);
    expect(items.length).toBe(count);
    for (const old of before) expect(items.find((i) => i.key === old.key)?.data.equals(old.data)).toBe(true);
  }, 60_000);
});
