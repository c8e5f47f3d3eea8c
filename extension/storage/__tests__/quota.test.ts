import { describe, expect, it } from "vitest";
import { assertQuotaFor, ensurePersistentStorage, isQuotaError, QuotaExceededError } from "../quota";

const storage = (usage: number, quota: number) => ({ estimate: async () => ({ usage, quota }) });

describe("quota", () => {
  it("passes a write that fits with the margin", async () => {
    await expect(assertQuotaFor(storage(0, 1000), 100, 100)).resolves.toBeUndefined();
  });

  it("refuses a write that would eat into the margin", async () => {
    const err = await assertQuotaFor(storage(850, 1000), 100, 100).catch((e) => e);
    expect(err).toBeInstanceOf(QuotaExceededError);
    expect(err).toMatchObject({ code: "QUOTA_EXCEEDED", needed: 100, available: 150 });
  });

  it("recognises the browser's own QuotaExceededError", () => {
    expect(isQuotaError({ name: "QuotaExceededError" })).toBe(true);
    expect(isQuotaError(new Error("x"))).toBe(false);
  });

  it("asks for persistence only when not persisted yet", async () => {
    let asked = 0;
    const s = {
      estimate: async () => ({}),
      persisted: async () => false,
      persist: async () => {
        asked++;
        return true;
      },
    };
    expect(await ensurePersistentStorage(s)).toBe(true);
    expect(asked).toBe(1);
    expect(await ensurePersistentStorage({ ...s, persisted: async () => true })).toBe(true);
    expect(asked).toBe(1);
  });
});
