import { describe, expect, it } from "vitest";
import { freshDb } from "../../test-support/db";
import { DEFAULT_SETTINGS, loadSettings, resolveSettings, saveSettings } from "../settings";

describe("settings", () => {
  it("defaults come from shared constants", () => {
    expect(DEFAULT_SETTINGS).toMatchObject({
      fps: 30,
      segmentSeconds: 10,
      layout: "passthrough",
      mic: "default",
      systemAudio: true,
    });
  });

  it("keeps valid stored fields and replaces invalid ones with defaults", () => {
    expect(resolveSettings({ fps: 24, segmentSeconds: 0, layout: "mosaic", extra: 1 })).toEqual({
      ...DEFAULT_SETTINGS,
      fps: 24,
    });
    expect(resolveSettings("garbage")).toEqual(DEFAULT_SETTINGS);
  });

  it("locked (policy) values win over stored ones", () => {
    expect(resolveSettings({ fps: 24 }, { fps: 15 }).fps).toBe(15);
  });

  it("round-trips through IndexedDB and refuses invalid settings", async () => {
    const { db } = await freshDb();
    expect(await loadSettings(db)).toEqual(DEFAULT_SETTINGS);
    await saveSettings(db, { ...DEFAULT_SETTINGS, layout: "grid", segmentSeconds: 5 });
    expect(await loadSettings(db)).toMatchObject({ layout: "grid", segmentSeconds: 5 });
    await expect(saveSettings(db, { ...DEFAULT_SETTINGS, fps: 0 })).rejects.toThrow();
    expect((await loadSettings(db)).fps).toBe(30);
  });
});
