/**
 * Test support: reads one session back from the extension's real IndexedDB inside an extension
 * page — its record, its segments (bytes as base64, so they cross to Node intact), its timeline
 * and the stored settings — in one read transaction, as the side panel would see them.
 */
import type { Page } from "puppeteer-core";

export interface StoredSegment {
  track: "video" | "audio";
  seq: number;
  startUs: number;
  endUs: number;
  mime: string;
  bytes: number;
  b64: string;
}

export interface Stored {
  session: Record<string, unknown> | undefined;
  segments: StoredSegment[];
  timeline: { ts: number; kind: string; detail: string }[];
  settings: Record<string, unknown> | undefined;
}

/** Runs in the page; `sessionId` null reads only the settings. */
export function readStored(panel: Page, sessionId: string | null): Promise<Stored> {
  return panel.evaluate(
    (id) =>
      new Promise<Stored>((resolve, reject) => {
        const open = indexedDB.open("sessions");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(["sessions", "segments", "timeline", "settings"]);
          const settings = tx.objectStore("settings").get("defaults");
          const s = id ? tx.objectStore("sessions").get(id) : null;
          const segs = id ? tx.objectStore("segments").index("by-session").getAll(id) : null;
          const tl = id ? tx.objectStore("timeline").index("by-session").getAll(id) : null;
          tx.oncomplete = async () => {
            db.close();
            const toB64 = (b: Blob) =>
              new Promise<string>((res) => {
                const r = new FileReader();
                r.onload = () => res(String(r.result).split(",")[1] ?? "");
                r.readAsDataURL(b);
              });
            const segments = [];
            for (const r of (segs?.result ?? []) as (StoredSegment & { data: Blob })[])
              segments.push({
                track: r.track,
                seq: r.seq,
                startUs: r.startUs,
                endUs: r.endUs,
                mime: r.mime,
                bytes: r.bytes,
                b64: await toB64(r.data),
              });
            resolve({
              session: s?.result,
              segments,
              timeline: (tl?.result ?? []).map((t: { ts: number; kind: string; detail: string }) => ({
                ts: t.ts,
                kind: t.kind,
                detail: t.detail,
              })),
              settings: settings.result?.value,
            });
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    sessionId,
  );
}
