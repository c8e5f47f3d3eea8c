import { type ChromeType, POLICY_FIELDS, POLICY_KEYS } from "./policy-fields";

/**
 * The manifest's `storage.managed_schema`, generated from the policy table (Chrome's JSON-schema
 * subset, top level `type: object`). Types only: ranges are checked by zod so that an
 * out-of-range value reaches the extension and is shown as a warning instead of being dropped.
 * `extension/public/managed_schema.json` is this object; a unit test keeps the two identical.
 */

export interface ChromeSchemaProperty {
  type: "boolean" | "integer" | "string" | "array";
  title: string;
  description: string;
  items?: { type: "string" };
}

export interface ChromeManagedSchema {
  type: "object";
  properties: Record<string, ChromeSchemaProperty>;
}

export function managedSchema(): ChromeManagedSchema {
  const properties: Record<string, ChromeSchemaProperty> = {};
  for (const key of POLICY_KEYS) {
    const f = POLICY_FIELDS[key];
    properties[key] = { ...jsonType(f.chromeType), title: f.title, description: f.description };
  }
  return { type: "object", properties };
}

function jsonType(t: ChromeType): Pick<ChromeSchemaProperty, "type" | "items"> {
  return t === "string-array" ? { type: "array", items: { type: "string" } } : { type: t };
}
