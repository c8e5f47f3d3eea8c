import { EXTENSION_ID, HOST_NAME } from "@sessions/shared";
import { z } from "zod";
import { parseManagedPolicy } from "../../extension/policy/parse-policy";
import { examplePolicy, type ManagedPolicy, POLICY_FIELDS, type PolicyKey } from "../../extension/policy/policy-fields";

/**
 * What every policy template is generated from: the extension's real ID, the host's name, where
 * browsers fetch the extension from, and the managed settings (validated with the extension's own
 * parser — a template never carries a value the extension would ignore). Plus per-browser facts.
 */

export interface KitInput {
  extensionId: string;
  hostName: string;
  updateUrl: string;
  policy: ManagedPolicy;
}

export const PLACEHOLDER_UPDATE_URL = "https://updates.example.com/sessions/updates.xml";

export function kitInput(o: { updateUrl?: string; policy?: unknown } = {}): KitInput {
  const { policy, warnings } = parseManagedPolicy(o.policy ?? examplePolicy());
  if (warnings.length) throw new Error(`policy values rejected:\n${warnings.map((w) => `  ${w.message}`).join("\n")}`);
  const updateUrl = o.updateUrl ?? PLACEHOLDER_UPDATE_URL;
  if (!/^https:\/\//.test(updateUrl)) throw new Error(`update URL must be https: ${updateUrl}`);
  return { extensionId: EXTENSION_ID, hostName: HOST_NAME, updateUrl, policy };
}

export interface BrowserPolicyTarget {
  name: string;
  linuxDir: string;
  macDomain: string;
  winKey: string;
}

export const POLICY_BROWSERS: BrowserPolicyTarget[] = [
  {
    name: "Google Chrome",
    linuxDir: "/etc/opt/chrome/policies/managed",
    macDomain: "com.google.Chrome",
    winKey: "Software\\Policies\\Google\\Chrome",
  },
  {
    name: "Chromium",
    linuxDir: "/etc/chromium/policies/managed",
    macDomain: "org.chromium.Chromium",
    winKey: "Software\\Policies\\Chromium",
  },
  {
    name: "Microsoft Edge",
    linuxDir: "/etc/opt/edge/policies/managed",
    macDomain: "com.microsoft.Edge",
    winKey: "Software\\Policies\\Microsoft\\Edge",
  },
];

/** The browser's own policies that deploy Sessions: force install, the host allowed, system hosts only. */
export function browserPolicies(k: KitInput) {
  return {
    ExtensionSettings: { [k.extensionId]: { installation_mode: "force_installed", update_url: k.updateUrl } },
    NativeMessagingAllowlist: [k.hostName],
    NativeMessagingUserLevelHosts: false,
  };
}

/** Full JSON schema of one managed key (ranges, enums), from the extension's zod schema. */
export function fieldJsonSchema(key: PolicyKey): {
  type?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  enum?: string[];
  items?: { enum?: string[] };
} {
  return z.toJSONSchema(POLICY_FIELDS[key].schema) as ReturnType<typeof fieldJsonSchema>;
}
