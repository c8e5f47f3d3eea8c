/**
 * Replay host for the storage benchmark: a native messaging host (Chrome starts it from the
 * benchmark profile's manifest) that answers the handshake and session requests like the real
 * host, then streams one hour of a session as fast as the extension acknowledges it: 360 video and
 * 360 audio segments, 720 screenshots and 5 000 timeline events, in the real wire format (frames,
 * parts ≤ MEDIA_PART_BYTES, base64, sha256). At most WINDOW items are unacknowledged at a time,
 * as the real host's spool would. Logs go to stderr; stdout carries only frames.
 */
import { createHash, randomFillSync } from "node:crypto";
import { HostRequest, MEDIA_PART_BYTES, PROTOCOL_VERSION } from "@sessions/shared";
import { HOUR } from "./storage-hour";

const WINDOW = 8;
const TIMELINE_KINDS = ["source-added", "gap", "warning", "device-switched", "pause", "resume"] as const;

let inbox = Buffer.alloc(0);
let acked = 0;
let sent = 0;
let waiter: (() => void) | null = null;

function write(msg: unknown): Promise<void> {
  const body = Buffer.from(JSON.stringify(msg), "utf8");
  const head = Buffer.alloc(4);
  head.writeUInt32LE(body.length, 0);
  return new Promise((resolve) => {
    if (process.stdout.write(Buffer.concat([head, body]))) resolve();
    else process.stdout.once("drain", resolve);
  });
}

process.stdin.on("data", (chunk: Buffer) => {
  inbox = Buffer.concat([inbox, chunk]);
  while (inbox.length >= 4) {
    const len = inbox.readUInt32LE(0);
    if (inbox.length < 4 + len) break;
    const raw = JSON.parse(inbox.subarray(4, 4 + len).toString("utf8"));
    inbox = inbox.subarray(4 + len);
    void handle(HostRequest.parse(raw));
  }
});
process.stdin.on("end", () => process.exit(0));

let session: string | null = null;

async function handle(req: HostRequest): Promise<void> {
  switch (req.type) {
    case "hello":
      return write({
        type: "hello",
        id: req.id,
        protocol: PROTOCOL_VERSION,
        hostVersion: "bench-replay",
        platform: "linux",
        capabilities: ["capture.display", "audio.mic", "audio.system"],
      });
    case "sources.list":
      return write({
        type: "result",
        id: req.id,
        displays: [{ id: "display:0", name: "Screen", width: 1920, height: 1080 }],
        windows: [],
        webcams: [],
        audioInputs: [{ id: "default", name: "Default", isDefault: true, channels: 1, sampleRate: 48000 }],
        systemAudio: { available: true, name: "monitor" },
      });
    case "session.start":
      session = req.sessionId;
      await write({ type: "result", id: req.id, sessionId: req.sessionId, startedAt: Date.now() });
      void replayHour(req.sessionId);
      return;
    case "session.status":
      return write({
        type: "result",
        id: req.id,
        session: session ? { sessionId: session, state: "recording" } : null,
        unacknowledged: sent - acked,
      });
    case "segment.ack":
      acked++;
      waiter?.();
      return write({ type: "result", id: req.id });
    case "segments.resend":
      return write({ type: "result", id: req.id, count: 0 });
    case "session.stop":
      session = null;
      return write({ type: "result", id: req.id });
    default:
      return write({ type: "result", id: req.id });
  }
}

async function untilWindowOpen(): Promise<void> {
  while (sent - acked >= WINDOW) await new Promise<void>((r) => (waiter = r));
}

async function sendItem(head: Record<string, unknown>, bytes: Buffer): Promise<void> {
  await untilWindowOpen();
  sent++;
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const parts = Math.max(1, Math.ceil(bytes.length / MEDIA_PART_BYTES));
  for (let part = 0; part < parts; part++) {
    const data = bytes.subarray(part * MEDIA_PART_BYTES, (part + 1) * MEDIA_PART_BYTES).toString("base64");
    await write({ ...head, bytes: bytes.length, sha256, part, parts, data });
  }
}

async function replayHour(sessionId: string): Promise<void> {
  const t0 = Date.now();
  const seg = HOUR.segmentSeconds * 1_000_000;
  const perSegment = Math.ceil(HOUR.timelineEvents / HOUR.videoSegments);
  let timeline = 0;
  for (let seq = 0; seq < HOUR.videoSegments; seq++) {
    const startUs = seq * seg;
    const endUs = startUs + seg;
    await sendItem(
      { type: "segment", sessionId, track: "video", seq, startUs, endUs, units: 300, mime: "video/mp4" },
      randomFillSync(Buffer.alloc(HOUR.videoBytes)),
    );
    await sendItem(
      {
        type: "segment",
        sessionId,
        track: "audio",
        seq,
        startUs,
        endUs,
        units: 480_000,
        mime: "audio/webm;codecs=opus",
      },
      randomFillSync(Buffer.alloc(HOUR.audioBytes)),
    );
    for (let k = 0; k < 2; k++) {
      const shot = seq * 2 + k;
      await sendItem(
        {
          type: "screenshot",
          sessionId,
          seq: shot,
          ts: startUs + k * (seg / 2),
          width: 320,
          height: 180,
          phash: shot.toString(16).padStart(16, "0"),
          mime: "image/webp",
        },
        randomFillSync(Buffer.alloc(HOUR.screenshotBytes)),
      );
    }
    for (let k = 0; k < perSegment && timeline < HOUR.timelineEvents; k++, timeline++) {
      const kind = TIMELINE_KINDS[timeline % TIMELINE_KINDS.length];
      await write({ type: "timeline", sessionId, ts: startUs + k * 1000 + 1, kind, detail: `bench event ${timeline}` });
    }
    if (seq % 60 === 0)
      process.stderr.write(`[replay] ${seq}/${HOUR.videoSegments} segments after ${Date.now() - t0} ms\n`);
  }
  while (sent - acked > 0) await new Promise<void>((r) => (waiter = r));
  process.stderr.write(`[replay] all ${sent} items acknowledged after ${Date.now() - t0} ms\n`);
}
