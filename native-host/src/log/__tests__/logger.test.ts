import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { Logger } from "../logger";

it("rotates the log file past 5 MB and keeps three old files", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sessions-log-"));
  const logger = new Logger(dir);
  const stderr = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    const line = "y".repeat(100_000);
    for (let i = 0; i < 260; i++) logger.info(line);
  } finally {
    process.stderr.write = stderr;
  }
  const files = fs.readdirSync(dir).sort();
  expect(files).toEqual(["host.log", "host.log.1", "host.log.2", "host.log.3"]);
  for (const f of files) expect(fs.statSync(path.join(dir, f)).size).toBeLessThanOrEqual(5 * 1024 * 1024);
});

it("an unwritable log folder does not stop the host: stderr still works", () => {
  // a folder below a regular file can never be created (ENOTDIR)
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sessions-log-")), "plain-file");
  fs.writeFileSync(file, "");
  const logger = new Logger(path.join(file, "logs"));
  expect(() => logger.info("still fine")).not.toThrow();
});
