import "fake-indexeddb/auto";
import { openSessionsDb } from "../storage/open-db";
import { emptySession, type SegmentRecord } from "../storage/records";

/** A fresh, uniquely named database per test (fake-indexeddb, in memory). */
let n = 0;
export async function freshDb(version?: number) {
  const name = `sessions-test-${process.pid}-${++n}-${Date.now()}`;
  return { db: await openSessionsDb(name, version), name };
}

export { emptySession };

export function segment(sessionId: string, track: "video" | "audio", seq: number, bytes = 1000): SegmentRecord {
  return {
    sessionId,
    track,
    seq,
    startUs: seq * 10_000_000,
    endUs: (seq + 1) * 10_000_000,
    units: track === "video" ? 300 : 480_000,
    mime: track === "video" ? "video/mp4" : "audio/webm;codecs=opus",
    bytes,
    sha256: "0".repeat(64),
    data: new Blob([new Uint8Array(bytes)]),
    committedAt: 1_700_000_000_000 + seq,
  };
}
