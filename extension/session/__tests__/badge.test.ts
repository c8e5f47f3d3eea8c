import { describe, expect, it } from "vitest";
import { BADGE_COLORS, badgeFor, elapsedText } from "../badge";
import type { SessionStatus } from "../status";

const base: SessionStatus = {
  state: "recording",
  sessionId: "s",
  startedAt: 0,
  elapsedMs: 0,
  at: 0,
  running: true,
  health: null,
  error: null,
  connection: "connected",
  hostVersion: "1",
  sources: [],
  layout: null,
};

describe("badge", () => {
  it("shows elapsed minutes while recording, coloured by health", () => {
    expect(badgeFor({ ...base, elapsedMs: 125_000 })).toMatchObject({ text: "2m", color: BADGE_COLORS.ok });
    expect(badgeFor({ ...base, health: { level: "warning", warnings: ["x"] } }).color).toBe(BADGE_COLORS.warning);
    expect(badgeFor({ ...base, health: { level: "critical", warnings: ["x"] } }).color).toBe(BADGE_COLORS.critical);
  });

  it("shows paused, error and idle at a glance", () => {
    expect(badgeFor({ ...base, state: "paused" }).text).toBe("II");
    const failed = badgeFor({ ...base, state: "failed", error: { code: "HOST_NOT_FOUND", message: "" } });
    expect(failed).toMatchObject({ text: "!", color: BADGE_COLORS.critical });
    expect(failed.title).toContain("HOST_NOT_FOUND");
    expect(badgeFor({ ...base, state: "idle" }).text).toBe("");
    expect(badgeFor({ ...base, state: "completed" }).text).toBe("");
  });

  it("switches to hours past 99 minutes", () => {
    expect(elapsedText(99 * 60_000)).toBe("99m");
    expect(elapsedText(125 * 60_000)).toBe("2h");
  });
});
