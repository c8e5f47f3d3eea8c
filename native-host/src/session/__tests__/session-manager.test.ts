import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type HostMessage, HostMessage as HostMessageSchema } from "@sessions/shared";
import { describe, expect, it } from "vitest";
import type { ChildSpec } from "../../children/child-process";
import { Logger } from "../../log/logger";
import type { RequestOf } from "../../router/router";
import { MediaOutbox } from "../media-outbox";
import { SessionManager } from "../session-manager";
import { Spool } from "../spool";

/** A manager whose children are the given real commands (sleep, false, …) — real processes, real pipes. */
function manager(specs: Partial<Record<ChildSpec["name"], string[]>>) {
  const sent: HostMessage[] = [];
  const spool = new Spool(fs.mkdtempSync(path.join(os.tmpdir(), "sessions-spool-test-")));
  const send = (m: HostMessage) => sent.push(HostMessageSchema.parse(m));
  const m = new SessionManager({
    send,
    logger: new Logger(null),
    spool,
    outbox: new MediaOutbox(spool, send),
    queueDepth: () => 0,
    spec: (name) => (specs[name] ? { name, argv: specs[name] as string[] } : null),
  });
  return { m, sent };
}

const start = (over: Partial<RequestOf<"session.start">> = {}): RequestOf<"session.start"> => ({
  type: "session.start",
  id: "1",
  sessionId: "s1",
  video: null,
  audio: { mic: { device: "synthetic:tone:440", gain: 1 }, system: null },
  segmentSeconds: 2,
  ...over,
});

describe("SessionManager faults (real child processes)", () => {
  it("a child that never gets ready is killed and the start fails with TIMEOUT after ~5 s", async () => {
    const { m, sent } = manager({ audio: ["sleep", "60"] });
    const t = Date.now();
    await expect(m.start(start())).rejects.toMatchObject({ code: "TIMEOUT" });
    expect(Date.now() - t).toBeGreaterThanOrEqual(4900);
    expect(Date.now() - t).toBeLessThan(9000);
    expect(sent.map((e) => (e.type === "session.state" ? e.state : e.type))).toEqual(["starting", "failed"]);
    expect(m.status().session).toBeNull();
  }, 15_000);

  it("a child that exits at once fails the start with CHILD_CRASHED", async () => {
    const { m, sent } = manager({ audio: ["false"] });
    await expect(m.start(start())).rejects.toMatchObject({ code: "CHILD_CRASHED" });
    expect(sent.at(-1)).toMatchObject({ type: "session.state", state: "failed", code: "CHILD_CRASHED" });
  });

  it("a missing child binary is SOURCE_UNAVAILABLE before anything starts", async () => {
    const { m, sent } = manager({});
    await expect(m.start(start())).rejects.toMatchObject({ code: "SOURCE_UNAVAILABLE" });
    expect(sent).toEqual([]);
  });

  it("nothing to record is BAD_REQUEST", async () => {
    const { m } = manager({ audio: ["sleep", "1"] });
    await expect(m.start(start({ audio: { mic: null, system: null } }))).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("commands for an unknown session are NOT_FOUND", async () => {
    const { m } = manager({});
    await expect(m.stop("nope")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(m.command({ type: "session.pause", id: "2", sessionId: "nope" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});

/**
 * A child in the real wire format that records each start it gets (with its own monotonic clock
 * reading) and, the first time only, exits 300 ms after starting, as a crash.
 */
const FAKE_CHILD = `
const fs = require("node:fs"), path = require("node:path"), rl = require("node:readline");
const dir = process.argv[1];
rl.createInterface({ input: process.stdin }).on("line", (line) => {
  const c = JSON.parse(line);
  if (c.type === "start") {
    const first = !fs.existsSync(path.join(dir, "crashed"));
    fs.writeFileSync(path.join(dir, "start-" + Date.now() + ".json"), JSON.stringify({ at: process.hrtime.bigint().toString(), originNs: c.clock.originNs }));
    if (first) { fs.writeFileSync(path.join(dir, "crashed"), ""); setTimeout(() => process.exit(3), 300); }
  }
  process.stdout.write(JSON.stringify({ type: "ok", id: c.id }) + "\\n");
});
`;

describe("SessionManager restarts", () => {
  it("a child restarted during a pause gets an origin later by the time paused, so its timeline continues", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sessions-restart-"));
    const { m, sent } = manager({ audio: [process.execPath, "-e", FAKE_CHILD, dir] });
    await m.start(start());
    await new Promise((r) => setTimeout(r, 100));
    const pausedAt = process.hrtime.bigint();
    await m.command({ type: "session.pause", id: "p", sessionId: "s1" });
    // The child crashes at ~300 ms; the host restarts it after its 250 ms backoff, still paused.
    for (let i = 0; i < 100 && !sent.some((e) => e.type === "timeline" && e.kind === "gap"); i++)
      await new Promise((r) => setTimeout(r, 50));
    const starts = fs
      .readdirSync(dir)
      .filter((f) => f.startsWith("start-"))
      .sort()
      .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as { at: string; originNs: string });
    expect(starts).toHaveLength(2);
    const [first, second] = starts as [{ at: string; originNs: string }, { at: string; originNs: string }];
    const shiftMs = Number(BigInt(second.originNs) - BigInt(first.originNs)) / 1e6;
    const pausedSoFarMs = Number(BigInt(second.at) - pausedAt) / 1e6;
    expect(shiftMs).toBeGreaterThan(400);
    expect(Math.abs(shiftMs - pausedSoFarMs)).toBeLessThan(50);
    await m.stop("s1");
  }, 20_000);
});
