import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type DecodedFrame, FrameDecoder } from "../frame-decoder";
import { encodeFrame, FrameTooLargeError } from "../frame-encoder";

const frame = (body: Buffer | string) => {
  const b = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  const h = Buffer.alloc(4);
  h.writeUInt32LE(b.length, 0);
  return Buffer.concat([h, b]);
};
const values = (frames: DecodedFrame[]) => frames.map((f) => (f.kind === "message" ? f.value : f.code));

/** Splits a buffer at the given cut points (sorted, deduplicated, within range). */
function split(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let at = 0;
  for (const p of points) {
    parts.push(buf.subarray(at, p));
    at = p;
  }
  parts.push(buf.subarray(at));
  return parts;
}

describe("FrameDecoder", () => {
  it("decodes a header split across reads, one byte at a time", () => {
    const d = new FrameDecoder();
    const bytes = frame('{"type":"ping","id":"1"}');
    const out: DecodedFrame[] = [];
    for (const b of bytes) out.push(...d.push(Buffer.from([b])));
    expect(values(out)).toEqual([{ type: "ping", id: "1" }]);
    expect(d.pendingBytes).toBe(0);
  });

  it("decodes several frames in one chunk, in order", () => {
    const d = new FrameDecoder();
    const chunk = Buffer.concat([frame('{"n":1}'), frame('{"n":2}'), frame('{"n":3}')]);
    expect(values(d.push(chunk))).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it("counts bytes, not characters, for non-ASCII text", () => {
    const d = new FrameDecoder();
    const text = JSON.stringify({ title: "Résumé — 日本語 🎬" });
    expect(Buffer.byteLength(text)).toBeGreaterThan(text.length);
    expect(values(d.push(Buffer.concat([frame(text), frame('{"after":true}')])))).toEqual([
      { title: "Résumé — 日本語 🎬" },
      { after: true },
    ]);
  });

  it("decodes a multi-byte character split across reads", () => {
    const d = new FrameDecoder();
    const bytes = frame(JSON.stringify({ s: "🎬" }));
    const cut = bytes.indexOf(0xf0) + 2; // inside the 4-byte emoji
    expect(d.push(bytes.subarray(0, cut))).toEqual([]);
    expect(values(d.push(bytes.subarray(cut)))).toEqual([{ s: "🎬" }]);
  });

  it("rejects an oversized length before allocating, skips its body and stays in step", () => {
    const d = new FrameDecoder(16);
    const big = frame("x".repeat(40));
    const out = [...d.push(big.subarray(0, 10)), ...d.push(big.subarray(10)), ...d.push(frame('{"ok":1}'))];
    expect(values(out)).toEqual(["MESSAGE_TOO_LARGE", { ok: 1 }]);
    expect(d.pendingBytes).toBe(0);
  });

  it("checks the 64 MiB cap from the header alone", () => {
    const d = new FrameDecoder();
    const header = Buffer.alloc(4);
    header.writeUInt32LE(64 * 1024 * 1024 + 1, 0);
    const out = d.push(header);
    expect(values(out)).toEqual(["MESSAGE_TOO_LARGE"]);
    expect(d.pendingBytes).toBe(0);
  });

  it("accepts a frame of exactly the cap", () => {
    const d = new FrameDecoder(10);
    expect(values(d.push(frame('"12345678"')))).toEqual(["12345678"]);
  });

  it("reports bad UTF-8 and bad JSON per frame and keeps going", () => {
    const d = new FrameDecoder();
    const out = d.push(Buffer.concat([frame(Buffer.from([0x7b, 0xff, 0x7d])), frame("{nope"), frame("[]")]));
    expect(values(out)).toEqual(["MALFORMED_JSON", "MALFORMED_JSON", []]);
  });

  it("handles an empty body as malformed JSON", () => {
    expect(values(new FrameDecoder().push(frame("")))).toEqual(["MALFORMED_JSON"]);
  });

  it("reports a truncated frame at end of input", () => {
    const d = new FrameDecoder();
    d.push(frame('{"a":1}').subarray(0, 6));
    expect(values(d.end())).toEqual(["BAD_REQUEST"]);
    expect(d.end()).toEqual([]);
  });

  it("property: any chunking of any frame sequence decodes to the same messages", () => {
    const jsonValue = fc.jsonValue({ maxDepth: 3 });
    fc.assert(
      fc.property(
        fc.array(jsonValue, { minLength: 1, maxLength: 20 }),
        fc.array(fc.nat(100_000), { maxLength: 30 }),
        (messages, cuts) => {
          const stream = Buffer.concat(messages.map((m) => encodeFrame(m)));
          const d = new FrameDecoder();
          const out = split(stream, cuts).flatMap((c) => d.push(c));
          expect(values(out)).toEqual(messages.map((m) => JSON.parse(JSON.stringify(m))));
          expect(d.pendingBytes).toBe(0);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("property: oversized and malformed frames mixed with good ones never desynchronise", () => {
    const item = fc.oneof(
      fc.record({ kind: fc.constant("good" as const), value: fc.jsonValue({ maxDepth: 2 }) }),
      fc.record({ kind: fc.constant("big" as const), size: fc.integer({ min: 65, max: 300 }) }),
      fc.record({ kind: fc.constant("bad" as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
    );
    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 15 }), fc.array(fc.nat(5000)), (items, cuts) => {
        const parts: Buffer[] = [];
        const expected: unknown[] = [];
        for (const it of items) {
          if (it.kind === "good") {
            const json = JSON.stringify(it.value);
            parts.push(frame(json));
            expected.push(Buffer.byteLength(json) > 64 ? "MESSAGE_TOO_LARGE" : JSON.parse(json));
          } else if (it.kind === "big") {
            parts.push(frame("y".repeat(it.size)));
            expected.push("MESSAGE_TOO_LARGE");
          } else {
            const body = Buffer.from(it.bytes);
            parts.push(frame(body));
            let ok = true;
            try {
              expected.push(JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body)));
            } catch {
              ok = false;
            }
            if (!ok) expected.push("MALFORMED_JSON");
          }
        }
        const d = new FrameDecoder(64);
        const out = split(Buffer.concat(parts), cuts).flatMap((c) => d.push(c));
        expect(values(out)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe("encodeFrame", () => {
  it("writes a little-endian byte length", () => {
    const f = encodeFrame({ s: "é" });
    expect(f.readUInt32LE(0)).toBe(Buffer.byteLength('{"s":"é"}'));
    expect(f.subarray(4).toString("utf8")).toBe('{"s":"é"}');
  });

  it("refuses a frame over the outbound cap instead of killing the port", () => {
    expect(() => encodeFrame({ data: "x".repeat(1024 * 1024) })).toThrow(FrameTooLargeError);
    expect(encodeFrame({ data: "x".repeat(1024 * 1024 - 20) }).length).toBeLessThanOrEqual(4 + 1024 * 1024);
  });
});

describe("media parts", () => {
  it("a full MEDIA_PART_BYTES part, base64'd inside its segment envelope, fits one outbound frame", async () => {
    const { MEDIA_PART_BYTES } = await import("@sessions/shared");
    const part = {
      type: "segment",
      sessionId: "0f8c2a4e-7d1b-4c1e-9a55-3b2f1c0d9e8a-with-a-long-tail-for-safety",
      track: "video",
      seq: 999_999,
      part: 99,
      parts: 100,
      mime: 'video/mp4; codecs="avc1.640028"',
      sha256: "f".repeat(64),
      bytes: 1e12,
      startUs: 9e15,
      endUs: 9e15,
      units: 1e9,
      data: Buffer.alloc(MEDIA_PART_BYTES).toString("base64"),
    };
    expect(encodeFrame(part).length).toBeLessThanOrEqual(4 + 1024 * 1024);
  });
});
