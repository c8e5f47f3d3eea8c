import type { Layout, SourceKind } from "@sessions/shared";
import { loadSettings, type Settings } from "../settings/settings";
import type { Db } from "../storage/open-db";
import type { StorageManagerLike } from "../storage/quota";
import { applyPolicy, type EffectiveSettings, layoutRefusal, sourceRefusal, startRefusal } from "./apply-policy";
import { cappedStorage } from "./capped-storage";
import { type ManagedArea, readManagedPolicy, watchManagedPolicy } from "./managed-store";
import type { ParsedPolicy } from "./parse-policy";
import { capBytes, recordedBytes } from "./retention";

/**
 * The worker's view of the managed policy: the latest parsed policy (re-read live on every
 * change), the person's settings with the policy applied, the start gate and the storage cap.
 * Everything that asks for the policy asks this object, so a change applies everywhere at once.
 */

export interface PolicyRuntime {
  current(): ParsedPolicy;
  effectiveSettings(): Promise<EffectiveSettings>;
  /** Settings a new recording uses: the person's, with managed values winning. */
  recordingSettings(): Promise<Settings>;
  /** Why a recording may not start now; null when it may. */
  refusal(settings: Settings): string | null;
  /** Why a source of this kind may not be added to a recording; null when it may. */
  sourceRefusal(kind: SourceKind): string | null;
  /** Why a running recording may not switch to this layout; null when it may. */
  layoutRefusal(layout: Layout): string | null;
  /** navigator.storage with the policy's cap applied. */
  storage(inner: StorageManagerLike | undefined): StorageManagerLike;
  subscribe(fn: (p: ParsedPolicy) => void): () => void;
  stop(): void;
}

export async function startPolicyRuntime(db: Db, area?: ManagedArea): Promise<PolicyRuntime> {
  let parsed = await readManagedPolicy(area);
  logWarnings(parsed);
  const listeners = new Set<(p: ParsedPolicy) => void>();
  const unwatch = watchManagedPolicy((p) => {
    parsed = p;
    logWarnings(p);
    for (const l of listeners) l(p);
  }, area);
  const effectiveSettings = async () => applyPolicy(await loadSettings(db), parsed.policy);
  return {
    current: () => parsed,
    effectiveSettings,
    recordingSettings: async () => (await effectiveSettings()).settings,
    refusal: (settings) => startRefusal(settings, parsed.policy),
    sourceRefusal: (kind) => sourceRefusal(kind, parsed.policy),
    layoutRefusal: (layout) => layoutRefusal(layout, parsed.policy),
    storage: (inner) =>
      cappedStorage(inner, {
        capBytes: () => (parsed.policy.storageCapMB === undefined ? undefined : capBytes(parsed.policy.storageCapMB)),
        usedBytes: () => recordedBytes(db),
      }),
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    stop: unwatch,
  };
}

function logWarnings(p: ParsedPolicy): void {
  for (const w of p.warnings) console.warn(`[sessions] managed policy: ${w.message}`);
}
