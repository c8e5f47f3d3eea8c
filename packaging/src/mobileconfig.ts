import { createHash } from "node:crypto";
import { browserPolicies, type KitInput, POLICY_BROWSERS } from "./kit-input";
import { xml } from "./xml";

/**
 * A macOS configuration profile (.mobileconfig, an XML plist): per browser, one payload for the
 * browser's domain (force install, host allowlist, system hosts only) and one for the extension's
 * own domain `<browser domain>.extensions.<id>`, which is where macOS browsers read 3rd-party
 * extension policy. UUIDs are derived from the identifiers, so the output is reproducible.
 */
export function mobileconfig(k: KitInput): string {
  const payloads: Record<string, unknown>[] = [];
  for (const b of POLICY_BROWSERS) {
    payloads.push(payload(b.macDomain, `com.sessions.policy.${b.macDomain}`, browserPolicies(k)));
    const domain = `${b.macDomain}.extensions.${k.extensionId}`;
    payloads.push(payload(domain, `com.sessions.policy.${domain}`, k.policy));
  }
  const profile = {
    PayloadType: "Configuration",
    PayloadVersion: 1,
    PayloadIdentifier: "com.sessions.policy",
    PayloadUUID: uuidFor("com.sessions.policy"),
    PayloadDisplayName: "Sessions",
    PayloadDescription: "Installs the Sessions extension and sets its managed settings.",
    PayloadOrganization: "Sessions",
    PayloadScope: "System",
    PayloadContent: payloads,
  };
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">`,
    `<plist version="1.0">`,
    plistValue(profile, ""),
    `</plist>`,
    "",
  ].join("\n");
}

function payload(type: string, identifier: string, content: object): Record<string, unknown> {
  return {
    PayloadType: type,
    PayloadVersion: 1,
    PayloadIdentifier: identifier,
    PayloadUUID: uuidFor(identifier),
    PayloadEnabled: true,
    PayloadDisplayName: type,
    ...content,
  };
}

function uuidFor(name: string): string {
  const h = createHash("sha1").update(name).digest("hex");
  const variant = ((Number.parseInt(h[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`.toUpperCase();
}

function plistValue(v: unknown, indent: string): string {
  const next = `${indent}  `;
  if (v === true) return `${indent}<true/>`;
  if (v === false) return `${indent}<false/>`;
  if (typeof v === "number")
    return Number.isInteger(v) ? `${indent}<integer>${v}</integer>` : `${indent}<real>${v}</real>`;
  if (typeof v === "string") return `${indent}<string>${xml(v)}</string>`;
  if (Array.isArray(v))
    return [`${indent}<array>`, ...v.map((x) => plistValue(x, next)), `${indent}</array>`].join("\n");
  if (v && typeof v === "object") {
    const lines = [`${indent}<dict>`];
    for (const [key, val] of Object.entries(v)) lines.push(`${next}<key>${xml(key)}</key>`, plistValue(val, next));
    lines.push(`${indent}</dict>`);
    return lines.join("\n");
  }
  throw new Error(`cannot write ${String(v)} to a plist`);
}
