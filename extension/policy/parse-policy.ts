import { type ManagedPolicy, POLICY_FIELDS, type PolicyKey } from "./policy-fields";

/**
 * Turns whatever chrome.storage.managed holds into a ManagedPolicy, key by key: a valid value is
 * kept, an invalid or unknown one is dropped with a warning a person can read. Never throws, so a
 * bad deployment degrades to "that one setting is not enforced", shown, never to a broken worker.
 */

export interface PolicyWarning {
  key: string;
  message: string;
}

export interface ParsedPolicy {
  policy: ManagedPolicy;
  warnings: PolicyWarning[];
}

export function parseManagedPolicy(raw: unknown): ParsedPolicy {
  const policy: Record<string, unknown> = {};
  const warnings: PolicyWarning[] = [];
  if (raw === undefined || raw === null) return { policy, warnings };
  if (typeof raw !== "object" || Array.isArray(raw)) {
    return { policy, warnings: [{ key: "(root)", message: "managed storage is not an object; ignored" }] };
  }
  for (const [key, value] of Object.entries(raw)) {
    const field = (POLICY_FIELDS as Record<string, (typeof POLICY_FIELDS)[PolicyKey]>)[key];
    if (!field) {
      warnings.push({ key, message: `unknown policy "${key}"; ignored` });
      continue;
    }
    const parsed = field.schema.safeParse(value);
    if (parsed.success) policy[key] = parsed.data;
    else {
      const why = parsed.error.issues.map((i) => i.message).join("; ");
      warnings.push({ key, message: `invalid value ${preview(value)} for "${key}" (${why}); ignored` });
    }
  }
  return { policy: policy as ManagedPolicy, warnings };
}

function preview(value: unknown): string {
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}
