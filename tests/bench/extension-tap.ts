/**
 * A read-only tap on what the native host sends the extension, installed in the extension's
 * service worker for a benchmark: it wraps chrome.runtime.connectNative so every port opened
 * afterwards (the session's port exists only while a session runs) gets one more onMessage
 * listener, which only counts — media bytes and parts, how long each multi-part item took to
 * arrive, the last health numbers, the highest unacknowledged count, every sync report. The
 * product's own listener is untouched and sees every message as before. The tap lives in the
 * worker's global scope, so a worker restart would lose it; `readTap` then says so (null).
 */
import type { WebWorker } from "puppeteer-core";

export interface TapReport {
  installedAt: number;
  ports: number;
  messages: number;
  /** Decoded bytes of segment and screenshot parts. */
  mediaBytes: number;
  mediaParts: number;
  mediaItems: number;
  /** Items sent in more than one part: their bytes and first-to-last-part milliseconds. */
  multiPart: { items: number; bytes: number; ms: number };
  health: number;
  lastVideo: { framesOut: number; dropped: number; duplicated: number; fps: number; encodeLagMs: number } | null;
  lastAudio: { overruns: number; droppedSamples: number; bufferFill: number } | null;
  maxAudioBufferFill: number;
  maxUnacknowledged: number;
  maxHostRssBytes: number;
  syncs: { seq: number; offsetUs: number; driftUs: number }[];
}

/** Installs the tap; returns whether connectNative is now the wrapped one. */
export function installTap(worker: WebWorker): Promise<boolean> {
  return worker.evaluate(() => {
    const g = globalThis as unknown as { __sessionsBenchTap?: TapReport };
    if (g.__sessionsBenchTap) return true;
    const tap: TapReport = {
      installedAt: Date.now(),
      ports: 0,
      messages: 0,
      mediaBytes: 0,
      mediaParts: 0,
      mediaItems: 0,
      multiPart: { items: 0, bytes: 0, ms: 0 },
      health: 0,
      lastVideo: null,
      lastAudio: null,
      maxAudioBufferFill: 0,
      maxUnacknowledged: 0,
      maxHostRssBytes: 0,
      syncs: [],
    };
    const firstPartAt = new Map<string, number>();
    type Msg = Record<string, unknown> & { type?: string };
    const count = (m: Msg) => {
      tap.messages++;
      if (m.type === "segment" || m.type === "screenshot") {
        const data = String(m.data ?? "");
        const pad = data.endsWith("==") ? 2 : data.endsWith("=") ? 1 : 0;
        tap.mediaBytes += (data.length / 4) * 3 - pad;
        tap.mediaParts++;
        const key = `${m.type}:${String(m.track)}:${String(m.seq)}`;
        const part = Number(m.part);
        const parts = Number(m.parts);
        if (part === 0) firstPartAt.set(key, performance.now());
        if (part === parts - 1) {
          tap.mediaItems++;
          const t0 = firstPartAt.get(key);
          firstPartAt.delete(key);
          if (parts > 1 && t0 !== undefined) {
            tap.multiPart.items++;
            tap.multiPart.bytes += Number(m.bytes);
            tap.multiPart.ms += performance.now() - t0;
          }
        }
      } else if (m.type === "health") {
        tap.health++;
        const v = m.video as TapReport["lastVideo"];
        const a = m.audio as TapReport["lastAudio"];
        const h = m.host as { unacknowledged: number; rssBytes: number };
        if (v)
          tap.lastVideo = {
            framesOut: v.framesOut,
            dropped: v.dropped,
            duplicated: v.duplicated,
            fps: v.fps,
            encodeLagMs: v.encodeLagMs,
          };
        if (a) {
          tap.lastAudio = { overruns: a.overruns, droppedSamples: a.droppedSamples, bufferFill: a.bufferFill };
          tap.maxAudioBufferFill = Math.max(tap.maxAudioBufferFill, a.bufferFill);
        }
        tap.maxUnacknowledged = Math.max(tap.maxUnacknowledged, h.unacknowledged);
        tap.maxHostRssBytes = Math.max(tap.maxHostRssBytes, h.rssBytes);
      } else if (m.type === "sync") {
        tap.syncs.push({ seq: Number(m.seq), offsetUs: Number(m.offsetUs), driftUs: Number(m.driftUs) });
      }
    };
    const original = chrome.runtime.connectNative.bind(chrome.runtime);
    const wrapped = (name: string) => {
      const port = original(name);
      tap.ports++;
      port.onMessage.addListener((m: unknown) => {
        if (m && typeof m === "object") count(m as Msg);
      });
      return port;
    };
    try {
      chrome.runtime.connectNative = wrapped;
    } catch {
      // a read-only binding: try defining it instead
    }
    if (chrome.runtime.connectNative !== wrapped)
      Object.defineProperty(chrome.runtime, "connectNative", { value: wrapped, configurable: true, writable: true });
    g.__sessionsBenchTap = tap;
    return chrome.runtime.connectNative === wrapped;
  });
}

/** The tap's numbers, or null when the worker no longer has it (it restarted). */
export function readTap(worker: WebWorker): Promise<TapReport | null> {
  return worker.evaluate(
    () => (globalThis as unknown as { __sessionsBenchTap?: TapReport }).__sessionsBenchTap ?? null,
  );
}

/** Keeps the worker's thread busy for `ms` (to find which renderer process hosts it). */
export function spinWorker(worker: WebWorker, ms: number): Promise<number> {
  return worker.evaluate((d: number) => {
    const end = performance.now() + d;
    let n = 0;
    while (performance.now() < end) n++;
    return n;
  }, ms);
}
