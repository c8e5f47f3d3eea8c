import type { Layout, SourceKind } from "@sessions/shared";
import { layoutFor, type RecordingPlan } from "../session/source-plan";
import type { Settings, VideoSourceChoice } from "../settings/settings";
import type { ManagedPolicy } from "./policy-fields";

/**
 * "Managed wins": the person's settings with the policy laid over them, which fields are locked
 * and why, and whether a recording may start at all. Pure functions over plain data, so the
 * worker, the options page and the side panel all reach the same verdict.
 */

export type SettingsLocks = Partial<Record<keyof Settings, string>>;

export interface EffectiveSettings {
  settings: Settings;
  locks: SettingsLocks;
}

const BY_ORG = "set by your organization";

export function applyPolicy(person: Settings, policy: ManagedPolicy): EffectiveSettings {
  const s: Settings = { ...person };
  const locks: SettingsLocks = {};
  if (policy.layout !== undefined) {
    s.layout = policy.layout;
    locks.layout = `Locked: ${policy.layout}, ${BY_ORG}.`;
  }
  if (policy.segmentSeconds !== undefined) {
    s.segmentSeconds = policy.segmentSeconds;
    locks.segmentSeconds = `Locked: ${policy.segmentSeconds} s, ${BY_ORG}.`;
  }
  if (policy.maxFps !== undefined) {
    s.fps = Math.min(s.fps, policy.maxFps);
    locks.fps = `At most ${policy.maxFps}, ${BY_ORG}.`;
  }
  if (policy.maxWidth !== undefined) {
    s.maxWidth = Math.min(s.maxWidth, policy.maxWidth);
    locks.maxWidth = `At most ${policy.maxWidth} px, ${BY_ORG}.`;
  }
  if (policy.maxHeight !== undefined) {
    s.maxHeight = Math.min(s.maxHeight, policy.maxHeight);
    locks.maxHeight = `At most ${policy.maxHeight} px, ${BY_ORG}.`;
  }
  if (policy.microphoneAllowed === false) {
    s.mic = null;
    locks.mic = `Locked off: the microphone is not allowed, ${BY_ORG}.`;
  }
  if (policy.systemAudioAllowed === false) {
    s.systemAudio = false;
    locks.systemAudio = `Locked off: system audio is not allowed, ${BY_ORG}.`;
  }
  if (policy.allowedSources !== undefined) {
    locks.video = `Only ${listOf(policy.allowedSources)} may be recorded, ${BY_ORG}.`;
    // Picked sources win over `video` only while they exist; the fallback must not be forbidden.
    if (s.chosenSources && !videoChoiceAllowed(s.video, policy)) s.video = "none";
  }
  return { settings: s, locks };
}

/** The source kind a video choice records; null when it records no video. */
export function sourceKindOf(choice: VideoSourceChoice): SourceKind | null {
  if (choice === "none") return null;
  if (choice === "test-pattern") return "test-pattern";
  return "display";
}

export function videoChoiceAllowed(choice: VideoSourceChoice, policy: ManagedPolicy): boolean {
  const kind = sourceKindOf(choice);
  return kind === null || policy.allowedSources === undefined || policy.allowedSources.includes(kind);
}

/** Why a recording with these (effective) settings may not start; null when it may. */
export function startRefusal(settings: Settings, policy: ManagedPolicy): string | null {
  if (policy.recordingAllowed === false) return withMessage("Recording is turned off by your organization.", policy);
  const kinds = settings.chosenSources ? settings.chosenSources.map((c) => c.kind) : [sourceKindOf(settings.video)];
  for (const kind of kinds) {
    const refusal = sourceRefusal(kind, policy);
    if (refusal) return refusal;
  }
  return null;
}

/** Why a source of this kind may not be recorded (or added to a recording); null when it may. */
export function sourceRefusal(kind: SourceKind | null, policy: ManagedPolicy): string | null {
  if (policy.recordingAllowed === false) return withMessage("Recording is turned off by your organization.", policy);
  if (kind === null || policy.allowedSources === undefined || policy.allowedSources.includes(kind)) return null;
  return withMessage(
    `Your organization does not allow recording the ${kind}; allowed: ${listOf(policy.allowedSources)}.`,
    policy,
  );
}

/**
 * Why a running recording may not switch to this layout (the organization fixed it); null when it
 * may. A fixed one-source layout allows the grid: that is what it becomes with several sources.
 */
export function layoutRefusal(layout: Layout, policy: ManagedPolicy): string | null {
  if (policy.layout === undefined || layout === policy.layout) return null;
  if (policy.layout === "passthrough" && layout === "grid") return null;
  return withMessage(`The layout is set to ${policy.layout} by your organization.`, policy);
}

/** The layout a live recording of `sources` sources must have under the policy; null when the person chooses. */
export function requiredLayout(policy: ManagedPolicy, sources: number): Layout | null {
  return policy.layout === undefined ? null : layoutFor(policy.layout, sources);
}

function withMessage(reason: string, policy: ManagedPolicy): string {
  return policy.forbiddenMessage ? `${reason} ${policy.forbiddenMessage}` : reason;
}

/** Why a recording already running breaks a policy that just changed; null when it does not. */
export function planViolation(plan: RecordingPlan, policy: ManagedPolicy): string | null {
  if (policy.recordingAllowed === false) return "Recording was turned off by your organization.";
  const kinds = plan.video?.sources.map((s) => s.kind) ?? [];
  const forbidden = kinds.find((k) => policy.allowedSources !== undefined && !policy.allowedSources.includes(k));
  if (forbidden) return `Your organization no longer allows recording the ${forbidden}.`;
  if (plan.audio.mic && policy.microphoneAllowed === false) return "Your organization no longer allows the microphone.";
  if (plan.audio.system && policy.systemAudioAllowed === false)
    return "Your organization no longer allows system audio.";
  return null;
}

function listOf(kinds: readonly string[]): string {
  return kinds.length === 0 ? "no video source" : kinds.join(", ");
}
