// Checks that sessions-audio segments play in Chromium's MediaSource, the way the side panel will
// play them: records a synthetic tone with the real binary (1 s segments, a pause in the middle,
// a short last segment), serves the files on 127.0.0.1, appends them one by one to a SourceBuffer
// in headless Chromium, and requires one continuous buffered range covering the recording and
// playback that advances. Usage: node tests/audio/mse-playback.mjs <path to sessions-audio>
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import puppeteer from "puppeteer-core";

const CHROMIUM = "/usr/bin/chromium";
const bin = process.argv[2];
if (!bin || !fs.existsSync(bin)) throw new Error(`sessions-audio binary missing: ${bin}`);
if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium missing: ${CHROMIUM} (apt-get install chromium)`);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const monotonicNs = () => process.hrtime.bigint();

async function record(spool) {
  const child = spawn(bin, [], { stdio: ["pipe", "pipe", "inherit"] });
  const events = [];
  readline.createInterface({ input: child.stdout }).on("line", (l) => events.push(JSON.parse(l)));
  const send = (o) => child.stdin.write(`${JSON.stringify(o)}\n`);
  send({
    type: "start",
    id: "1",
    sessionId: "mse",
    clock: { originNs: monotonicNs().toString() },
    spoolDir: spool,
    segmentSeconds: 1,
    mic: { device: "synthetic:tone:440", gain: 1 },
    system: null,
  });
  await sleep(1300);
  send({ type: "pause", id: "2" });
  await sleep(500);
  send({ type: "resume", id: "3" });
  await sleep(1200);
  child.stdin.end();
  await new Promise((r) => child.on("exit", r));
  const segments = events.filter((e) => e.type === "segment");
  if (segments.length < 3) throw new Error(`expected ≥ 3 segments, got ${JSON.stringify(events)}`);
  return segments;
}

function serve(segments) {
  const server = http.createServer((req, res) => {
    const m = /^\/seg\/(\d+)$/.exec(req.url ?? "");
    if (m) {
      res.writeHead(200, { "content-type": "audio/webm" });
      res.end(fs.readFileSync(segments[Number(m[1])].path));
    } else {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<!doctype html><audio id=a></audio>");
    }
  });
  return new Promise((r) => server.listen(0, "127.0.0.1", () => r(server)));
}

async function playInChromium(url, count) {
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    pipe: true,
    args: ["--no-sandbox", "--disable-gpu", "--autoplay-policy=no-user-gesture-required", "--no-first-run"],
  });
  try {
    const page = await browser.newPage();
    await page.goto(url);
    return await page.evaluate(async (n) => {
      const mime = 'audio/webm; codecs="opus"';
      const supported = MediaSource.isTypeSupported(mime);
      const ms = new MediaSource();
      const audio = document.getElementById("a");
      audio.src = URL.createObjectURL(ms);
      await new Promise((r) => ms.addEventListener("sourceopen", r, { once: true }));
      const sb = ms.addSourceBuffer(mime);
      const errors = [];
      sb.addEventListener("error", () => errors.push("sourcebuffer error"));
      for (let i = 0; i < n; i++) {
        const data = await (await fetch(`/seg/${i}`)).arrayBuffer();
        sb.appendBuffer(data);
        await new Promise((r) => sb.addEventListener("updateend", r, { once: true }));
      }
      const ranges = [];
      for (let i = 0; i < sb.buffered.length; i++) ranges.push([sb.buffered.start(i), sb.buffered.end(i)]);
      ms.endOfStream();
      audio.currentTime = ranges[0]?.[0] ?? 0;
      await audio.play().catch((e) => errors.push(`play: ${e}`));
      const from = audio.currentTime;
      await new Promise((r) => setTimeout(r, 1200));
      return {
        supported,
        ranges,
        errors,
        advanced: audio.currentTime - from,
        mediaError: audio.error?.message ?? null,
      };
    }, count);
  } finally {
    await browser.close();
  }
}

const spool = fs.mkdtempSync(path.join(os.tmpdir(), "sessions-mse-"));
try {
  const segments = await record(spool);
  const server = await serve(segments);
  const { port } = server.address();
  const result = await playInChromium(`http://127.0.0.1:${port}/`, segments.length);
  server.close();
  const start = segments[0].startUs / 1e6;
  const end = segments.at(-1).endUs / 1e6;
  console.error(JSON.stringify({ segments: segments.length, start, end, ...result }));
  const problems = [];
  if (!result.supported) problems.push("MediaSource does not support audio/webm;codecs=opus");
  if (result.errors.length || result.mediaError) problems.push(`errors: ${result.errors} ${result.mediaError}`);
  if (result.ranges.length !== 1) problems.push(`buffered is not one range: ${JSON.stringify(result.ranges)}`);
  const [b0, b1] = result.ranges[0] ?? [0, 0];
  // Chromium keeps block times as they are (media time + the 6.5 ms codec delay) and counts the
  // last packet whole in `buffered` (its DiscardPadding is dropped at decode), so the range may
  // start ≤ 15 ms late and end ≤ 45 ms late; ffmpeg subtracts the delay, as Matroska specifies.
  if (b0 < start - 0.002 || b0 - start > 0.015 || b1 < end - 0.002 || b1 - end > 0.045)
    problems.push(`buffered ${b0}–${b1} s, segments cover ${start}–${end} s`);
  if (result.advanced < 0.5) problems.push(`playback advanced only ${result.advanced} s in 1.2 s`);
  if (problems.length) {
    console.error(`MSE playback FAILED: ${problems.join("; ")}`);
    process.exit(1);
  }
  console.error("MSE playback ok: every segment appended, one continuous buffered range, playback advances");
} finally {
  fs.rmSync(spool, { recursive: true, force: true });
}
