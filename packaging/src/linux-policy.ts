import { browserPolicies, type KitInput } from "./kit-input";

/**
 * The Linux policy file: one JSON object for `policies/managed/` of Chrome, Chromium or Edge —
 * the browser's deployment policies plus the extension's managed settings under `3rdparty`.
 */
export function linuxPolicyJson(k: KitInput): string {
  const doc = { ...browserPolicies(k), "3rdparty": { extensions: { [k.extensionId]: k.policy } } };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
