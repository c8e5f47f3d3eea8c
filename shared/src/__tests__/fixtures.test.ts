import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { HostMessage, HostRequest } from "../protocol/browser";
import { AudioCommand, AudioOutput, CaptureCommand, CaptureOutput } from "../protocol/child";

const root = path.resolve(import.meta.dirname, "../../fixtures");
const channels: Record<string, z.ZodType> = {
  "browser-request": HostRequest,
  "browser-message": HostMessage,
  "audio-command": AudioCommand,
  "audio-output": AudioOutput,
  "capture-command": CaptureCommand,
  "capture-output": CaptureOutput,
};

function load(channel: string, kind: "valid" | "invalid"): [string, unknown][] {
  const dir = path.join(root, channel, kind);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => [f, JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"))]);
}

describe.each(Object.entries(channels))("fixtures %s", (channel, schema) => {
  const valid = load(channel, "valid");
  const invalid = load(channel, "invalid");

  it("has examples of both kinds", () => {
    expect(valid.length).toBeGreaterThan(2);
    expect(invalid.length).toBeGreaterThan(2);
  });

  it.each(valid)("accepts %s and round-trips it unchanged", (_name, message) => {
    const parsed = schema.parse(message);
    expect(JSON.parse(JSON.stringify(parsed))).toEqual(message);
  });

  it.each(invalid)("rejects %s", (_name, message) => {
    expect(schema.safeParse(message).success).toBe(false);
  });
});
