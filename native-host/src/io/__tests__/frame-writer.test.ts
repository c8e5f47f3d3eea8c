import { PassThrough } from "node:stream";
import { expect, it } from "vitest";
import { FrameDecoder } from "../../framing/frame-decoder";
import { encodeFrame } from "../../framing/frame-encoder";
import { FrameWriter } from "../frame-writer";

it("waits for drain when the reader is slow, keeps order, and flush resolves only when all is written", async () => {
  const out = new PassThrough({ highWaterMark: 1024 });
  const writer = new FrameWriter(out, (chunk, cb) => out.write(chunk, cb));
  for (let i = 0; i < 200; i++) writer.send(encodeFrame({ i, pad: "x".repeat(100) }));
  // nobody reads yet: the stream is full, so most frames wait in our queue, not in the stream
  expect(writer.depth).toBeGreaterThan(150);
  let flushed = false;
  const flush = writer.flush().then(() => {
    flushed = true;
  });
  await new Promise((r) => setTimeout(r, 20));
  expect(flushed).toBe(false);
  const decoder = new FrameDecoder();
  const seen: number[] = [];
  out.on("data", (c: Buffer) => {
    for (const f of decoder.push(c)) if (f.kind === "message") seen.push((f.value as { i: number }).i);
  });
  await flush;
  expect(writer.depth).toBe(0);
  expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => i));
});

it("a broken pipe drops the queue instead of growing it, and flush still resolves", async () => {
  const out = new PassThrough({ highWaterMark: 16 });
  const writer = new FrameWriter(out, (chunk, cb) => out.write(chunk, cb));
  for (let i = 0; i < 10; i++) writer.send(encodeFrame({ i }));
  out.destroy(new Error("EPIPE"));
  await writer.flush();
  writer.send(encodeFrame({ after: true }));
  expect(writer.depth).toBe(0);
});
