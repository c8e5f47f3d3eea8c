import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { RecordingPlan } from "../../session/source-plan";
import { DEFAULT_SETTINGS } from "../../settings/settings";
import {
  applyPolicy,
  layoutRefusal,
  planViolation,
  requiredLayout,
  sourceRefusal,
  startRefusal,
} from "../apply-policy";
import { managedSchema } from "../managed-schema";
import { readManagedPolicy } from "../managed-store";
import { parseManagedPolicy } from "../parse-policy";
import { examplePolicy, POLICY_KEYS } from "../policy-fields";

const ROOT = path.resolve(import.meta.dirname, "../../..");

describe("parseManagedPolicy", () => {
  it("keeps every valid key of the example policy, with no warning", () => {
    const { policy, warnings } = parseManagedPolicy(examplePolicy());
    expect(warnings).toEqual([]);
    expect(Object.keys(policy).sort()).toEqual([...POLICY_KEYS].sort());
  });

  it("drops invalid and unknown values one by one, each with a warning, and keeps the rest", () => {
    const { policy, warnings } = parseManagedPolicy({
      maxFps: 500,
      layout: "mosaic",
      allowedSources: ["display", "hologram"],
      retentionDays: "thirty",
      colour: "blue",
      microphoneAllowed: false,
    });
    expect(policy).toEqual({ microphoneAllowed: false });
    expect(warnings.map((w) => w.key).sort()).toEqual([
      "allowedSources",
      "colour",
      "layout",
      "maxFps",
      "retentionDays",
    ]);
    expect(warnings.find((w) => w.key === "maxFps")?.message).toMatch(/invalid value 500 for "maxFps".*ignored/);
    expect(warnings.find((w) => w.key === "colour")?.message).toMatch(/unknown policy/);
  });

  it("never throws on any shape", () => {
    for (const raw of [
      null,
      undefined,
      3,
      "x",
      [],
      [1],
      { maxFps: { $ne: 1 } },
      { forbiddenMessage: "x".repeat(10_000) },
    ]) {
      const r = parseManagedPolicy(raw);
      expect(r.policy).toBeTypeOf("object");
    }
    expect(parseManagedPolicy([1]).warnings[0]?.message).toMatch(/not an object/);
  });

  it("a managed storage that throws becomes an empty policy with a warning", async () => {
    const r = await readManagedPolicy({ get: () => Promise.reject(new Error("boom")) });
    expect(r.policy).toEqual({});
    expect(r.warnings[0]?.message).toMatch(/could not read managed storage.*boom/);
  });
});

describe("applyPolicy: managed wins over the person's setting", () => {
  const person = { ...DEFAULT_SETTINGS, fps: 30, layout: "passthrough" as const, mic: "default", systemAudio: true };

  it("locks layout and segment length, caps fps and size, turns off forbidden audio, and says so", () => {
    const { settings, locks } = applyPolicy(person, {
      layout: "grid",
      segmentSeconds: 5,
      maxFps: 15,
      maxWidth: 1280,
      maxHeight: 720,
      microphoneAllowed: false,
      systemAudioAllowed: false,
      allowedSources: ["window"],
    });
    expect(settings).toMatchObject({
      layout: "grid",
      segmentSeconds: 5,
      fps: 15,
      maxWidth: 1280,
      maxHeight: 720,
      mic: null,
      systemAudio: false,
    });
    for (const k of [
      "layout",
      "segmentSeconds",
      "fps",
      "maxWidth",
      "maxHeight",
      "mic",
      "systemAudio",
      "video",
    ] as const)
      expect(locks[k]).toMatch(/organization/);
  });

  it("a cap above the person's value leaves it, and an empty policy changes nothing", () => {
    expect(applyPolicy(person, { maxFps: 60 }).settings.fps).toBe(30);
    expect(applyPolicy(person, {})).toEqual({ settings: person, locks: {} });
  });
});

describe("a managed layout while recording", () => {
  it("refuses switching away from it, allows it (and the grid a fixed one-source layout becomes)", () => {
    expect(layoutRefusal("side-by-side", { layout: "grid", forbiddenMessage: "Ask IT." })).toBe(
      "The layout is set to grid by your organization. Ask IT.",
    );
    expect(layoutRefusal("grid", { layout: "grid" })).toBeNull();
    expect(layoutRefusal("grid", { layout: "passthrough" })).toBeNull();
    expect(layoutRefusal("side-by-side", { layout: "passthrough" })).not.toBeNull();
    expect(layoutRefusal("side-by-side", {})).toBeNull();
  });

  it("the layout a live recording must have: the managed one, a grid for one-source with several", () => {
    expect(requiredLayout({}, 2)).toBeNull();
    expect(requiredLayout({ layout: "side-by-side" }, 1)).toBe("side-by-side");
    expect(requiredLayout({ layout: "passthrough" }, 1)).toBe("passthrough");
    expect(requiredLayout({ layout: "passthrough" }, 3)).toBe("grid");
  });
});

describe("startRefusal", () => {
  it("refuses a source kind that is not allowed, naming it and adding the administrator's message", () => {
    const msg = startRefusal(
      { ...DEFAULT_SETTINGS, video: "primary-display" },
      { allowedSources: ["test-pattern"], forbiddenMessage: "Ask IT." },
    );
    expect(msg).toBe("Your organization does not allow recording the display; allowed: test-pattern. Ask IT.");
  });

  it("refuses everything when recording is off, allows an allowed source and audio-only", () => {
    expect(startRefusal(DEFAULT_SETTINGS, { recordingAllowed: false })).toMatch(/turned off/);
    expect(
      startRefusal({ ...DEFAULT_SETTINGS, video: "test-pattern" }, { allowedSources: ["test-pattern"] }),
    ).toBeNull();
    expect(startRefusal({ ...DEFAULT_SETTINGS, video: "none" }, { allowedSources: [] })).toBeNull();
  });
});

describe("picked sources (settings.chosenSources)", () => {
  const windowAndDisplay = {
    ...DEFAULT_SETTINGS,
    video: "primary-display" as const,
    chosenSources: [
      { id: "w1", kind: "window" as const },
      { id: "d1", kind: "display" as const },
    ],
  };
  it("refuses when any picked source's kind is forbidden, naming it", () => {
    expect(startRefusal(windowAndDisplay, { allowedSources: ["window"] })).toMatch(
      /recording the display; allowed: window/,
    );
    expect(startRefusal(windowAndDisplay, { allowedSources: ["window", "display"] })).toBeNull();
  });
  it("a forbidden fallback choice is replaced by none, so a vanished pick never records a forbidden kind", () => {
    const picked = { ...windowAndDisplay, chosenSources: [{ id: "w1", kind: "window" as const }] };
    const { settings } = applyPolicy(picked, { allowedSources: ["window"] });
    expect(settings.video).toBe("none");
    expect(startRefusal(settings, { allowedSources: ["window"] })).toBeNull();
  });
  it("sourceRefusal gates adding a source while recording", () => {
    expect(sourceRefusal("window", { allowedSources: ["display"], forbiddenMessage: "Ask IT." })).toBe(
      "Your organization does not allow recording the window; allowed: display. Ask IT.",
    );
    expect(sourceRefusal("display", { allowedSources: ["display"] })).toBeNull();
  });
});

describe("planViolation (policy changed during a recording)", () => {
  const plan: RecordingPlan = {
    video: {
      sources: [{ id: "d1", kind: "display" }],
      layout: "passthrough",
      fps: 30,
      maxWidth: 1920,
      maxHeight: 1080,
    },
    audio: { mic: { device: "default", gain: 1 }, system: null },
    segmentSeconds: 10,
  };
  it("names what is now forbidden", () => {
    expect(planViolation(plan, {})).toBeNull();
    expect(planViolation(plan, { allowedSources: ["window"] })).toMatch(/display/);
    expect(planViolation(plan, { microphoneAllowed: false })).toMatch(/microphone/);
    expect(planViolation(plan, { recordingAllowed: false })).toMatch(/turned off/);
  });
});

describe("managed_schema.json", () => {
  it("is exactly what the policy table generates (top level type object, every key typed)", () => {
    const file = JSON.parse(fs.readFileSync(path.join(ROOT, "public/managed_schema.json"), "utf8"));
    expect(file).toEqual(managedSchema());
    expect(file.type).toBe("object");
    expect(Object.keys(file.properties).sort()).toEqual([...POLICY_KEYS].sort());
  });

  it("every example value passes the type the manifest schema declares", () => {
    const schema = managedSchema();
    for (const [k, v] of Object.entries(examplePolicy())) {
      const t = schema.properties[k]?.type;
      const ok = t === "array" ? Array.isArray(v) : t === "integer" ? Number.isInteger(v) : typeof v === t;
      expect(ok, `${k}: ${JSON.stringify(v)} is not ${t}`).toBe(true);
    }
  });
});
