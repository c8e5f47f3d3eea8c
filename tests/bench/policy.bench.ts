/**
 * Enterprise policy kit numbers: how long a retention pass takes to delete expired sessions with
 * their media (fake-indexeddb in Node — the same transaction code as in Chrome, not Chrome's own
 * IndexedDB speed), how long generating every policy template takes, and the .deb's size.
 * Writes bench-results/policy.json.
 */
import "fake-indexeddb/auto";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { enforceRetention } from "../../extension/policy/retention";
import { openSessionsDb } from "../../extension/storage/open-db";
import { emptySession } from "../../extension/storage/records";
import { generateKit } from "../../packaging/src/generate-kit";
import { kitInput } from "../../packaging/src/kit-input";
import { machine } from "../../scripts/bench-machine.mjs";

const DAY = 86_400_000;
const NOW = 1_800_000_000_000;

async function retentionRun(sessions: number, segmentsPerSession: number) {
  const db = await openSessionsDb(`bench-${sessions}-${segmentsPerSession}-${Date.now()}`);
  const blob = new Blob([new Uint8Array(1024)]);
  for (let i = 0; i < sessions; i++) {
    const id = `s${i}`;
    const at = NOW - (i % 2 === 0 ? 40 : 1) * DAY; // half expired
    const tx = db.transaction(["sessions", "segments", "timeline"], "readwrite");
    await tx
      .objectStore("sessions")
      .put({ ...emptySession(id, at), startedAt: at, state: "completed", bytes: 1024 * segmentsPerSession });
    for (let seq = 0; seq < segmentsPerSession; seq++) {
      await tx.objectStore("segments").put({
        sessionId: id,
        track: "video",
        seq,
        startUs: seq * 2_000_000,
        endUs: (seq + 1) * 2_000_000,
        units: 60,
        mime: "video/mp4",
        bytes: 1024,
        sha256: "0".repeat(64),
        data: blob,
        committedAt: at,
      });
      await tx.objectStore("timeline").put({ sessionId: id, ts: seq * 2_000_000, kind: "segment", detail: "", at });
    }
    await tx.done;
  }
  const t0 = performance.now();
  const r = await enforceRetention(db, { retentionDays: 30 }, NOW);
  const ms = performance.now() - t0;
  const left = await db.count("segments");
  db.close();
  return { sessions, segmentsPerSession, deleted: r.expired.length, segmentsLeft: left, ms: Math.round(ms * 10) / 10 };
}

const retention = [await retentionRun(20, 30), await retentionRun(100, 30), await retentionRun(50, 300)];

const out = fs.mkdtempSync(path.join(os.tmpdir(), "sessions-kit-bench-"));
const runs: number[] = [];
for (let i = 0; i < 20; i++) {
  const t0 = performance.now();
  generateKit(kitInput(), out);
  runs.push(performance.now() - t0);
}
fs.rmSync(out, { recursive: true, force: true });
runs.sort((a, b) => a - b);

const deb = process.env.SESSIONS_DEB;
const debInfo =
  deb && fs.existsSync(deb)
    ? {
        file: path.basename(deb),
        bytes: fs.statSync(deb).size,
        installedKiB: Number(execFileSync("dpkg-deb", ["-f", deb, "Installed-Size"], { encoding: "utf8" }).trim()),
      }
    : null;

const result = {
  name: "policy",
  machine: machine(),
  results: {
    retention,
    templatesMs: { median: Math.round((runs[10] ?? 0) * 10) / 10, max: Math.round((runs.at(-1) ?? 0) * 10) / 10 },
    deb: debInfo,
  },
  targets: { note: "no fixed target in the issue; retention runs at startup/hourly, off the recording path" },
};
fs.mkdirSync(path.resolve("bench-results"), { recursive: true });
fs.writeFileSync(path.resolve("bench-results/policy.json"), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result.results)}\n`);
