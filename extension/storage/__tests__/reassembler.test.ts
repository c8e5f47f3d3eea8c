import fs from "node:fs";
import path from "node:path";
import { SegmentEvent } from "@sessions/shared";
import { describe, expect, it } from "vitest";
import { encodeBase64, Reassembler, releaseNow, sha256Hex } from "../reassembler";

const fixture = SegmentEvent.parse(
  JSON.parse(
    fs.readFileSync(
      path.resolve(import.meta.dirname, "../../../shared/fixtures/browser-message/valid/segment.json"),
      "utf8",
    ),
  ),
);

async function partsOf(bytes: Uint8Array<ArrayBuffer>, partSize: number, overrides: Partial<SegmentEvent> = {}) {
  const sha256 = await sha256Hex(bytes);
  const parts = Math.max(1, Math.ceil(bytes.length / partSize));
  return Array.from({ length: parts }, (_, i) =>
    SegmentEvent.parse({
      ...fixture,
      seq: 4,
      bytes: bytes.length,
      sha256,
      part: i,
      parts,
      data: encodeBase64(bytes.subarray(i * partSize, (i + 1) * partSize)),
      ...overrides,
    }),
  );
}

describe("Reassembler", () => {
  it("accepts the shared fixture (one part, sha256 of 'test')", async () => {
    const r = await new Reassembler().accept(fixture);
    expect(r.status).toBe("complete");
    if (r.status === "complete") expect(new TextDecoder().decode(r.bytes)).toBe("test");
  });

  it("joins many parts in order and verifies the digest", async () => {
    const bytes = new Uint8Array(10_000).map((_, i) => (i * 7) % 256);
    const parts = await partsOf(bytes, 3000);
    const ra = new Reassembler();
    const results = [];
    for (const p of parts) results.push(await ra.accept(p));
    expect(results.map((r) => r.status)).toEqual(["partial", "partial", "partial", "complete"]);
    const last = results.at(-1);
    if (last?.status === "complete") expect(last.bytes).toEqual(bytes);
    expect(ra.pendingCount()).toBe(0);
  });

  it("reports CHECKSUM_MISMATCH when the digest differs", async () => {
    const parts = await partsOf(new Uint8Array([1, 2, 3]), 10, { sha256: "a".repeat(64) });
    const r = await new Reassembler().accept(parts[0] as SegmentEvent);
    expect(r).toMatchObject({ status: "corrupt", code: "CHECKSUM_MISMATCH" });
  });

  it("reports CHECKSUM_MISMATCH when a part is missing or out of order", async () => {
    const parts = await partsOf(new Uint8Array(100), 30);
    const ra = new Reassembler();
    await ra.accept(parts[0] as SegmentEvent);
    const r = await ra.accept(parts[2] as SegmentEvent);
    expect(r).toMatchObject({ status: "corrupt", code: "CHECKSUM_MISMATCH" });
    expect(ra.pendingCount()).toBe(0);
  });

  it("reports CHECKSUM_MISMATCH when the byte count differs from the announced one", async () => {
    const parts = await partsOf(new Uint8Array(10), 100, { bytes: 11 });
    expect(await new Reassembler().accept(parts[0] as SegmentEvent)).toMatchObject({ status: "corrupt" });
  });

  it("starts over when part 0 arrives again (a resend after reconnect)", async () => {
    const parts = await partsOf(new Uint8Array(100).fill(9), 60);
    const ra = new Reassembler();
    await ra.accept(parts[0] as SegmentEvent);
    await ra.accept(parts[0] as SegmentEvent);
    expect((await ra.accept(parts[1] as SegmentEvent)).status).toBe("complete");
  });

  it("releases a buffer at once, and a Blob made from it beforehand keeps its own copy", async () => {
    const bytes = new Uint8Array([5, 6, 7, 8]);
    const blob = new Blob([bytes]);
    releaseNow(bytes);
    expect(bytes.buffer.byteLength).toBe(0);
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(new Uint8Array([5, 6, 7, 8]));
  });
});
