import { POLICY_FIELDS, POLICY_KEYS, type PolicyKey } from "../../extension/policy/policy-fields";
import { fieldJsonSchema, type KitInput, POLICY_BROWSERS } from "./kit-input";
import { xml } from "./xml";

/**
 * Windows administrative templates for the extension's managed settings: sessions.admx (policy
 * definitions, one per key and per browser, writing to `<browser>\3rdparty\extensions\<id>\policy`)
 * and en-US/sessions.adml (their strings and dialog presentations). Ranges and choices come from
 * the extension's zod schema, so Group Policy refuses the same values the extension would ignore.
 * The browsers' own policies (force install, native messaging) come from Google's / Microsoft's
 * templates; the .reg file sets them directly.
 */

const NS = "http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions";
const WIN_BROWSERS = POLICY_BROWSERS.filter((b) => b.name !== "Chromium");

export function admx(k: KitInput): string {
  const policies: string[] = [];
  for (const b of WIN_BROWSERS) {
    const cat = categoryId(b.name);
    const key = `${b.winKey}\\3rdparty\\extensions\\${k.extensionId}\\policy`;
    for (const name of POLICY_KEYS) policies.push(policyXml(name, cat, key));
  }
  return `<?xml version="1.0" encoding="utf-8"?>
<policyDefinitions xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="1.0" schemaVersion="1.0" xmlns="${NS}">
  <policyNamespaces>
    <target prefix="sessions" namespace="Sessions.Policies.Sessions" />
  </policyNamespaces>
  <resources minRequiredRevision="1.0" />
  <supportedOn>
    <definitions>
      <definition name="SUPPORTED_SESSIONS" displayName="$(string.SUPPORTED_SESSIONS)" />
    </definitions>
  </supportedOn>
  <categories>
    <category name="Sessions" displayName="$(string.Sessions)" />
${WIN_BROWSERS.map((b) => `    <category name="${categoryId(b.name)}" displayName="$(string.${categoryId(b.name)})">\n      <parentCategory ref="Sessions" />\n    </category>`).join("\n")}
  </categories>
  <policies>
${policies.join("\n")}
  </policies>
</policyDefinitions>
`;
}

export function adml(): string {
  const strings: [string, string][] = [
    ["SUPPORTED_SESSIONS", "Sessions extension 0.1 or later (Chromium 116 or later)"],
    ["Sessions", "Sessions"],
    ...WIN_BROWSERS.map((b): [string, string] => [categoryId(b.name), `Sessions in ${b.name}`]),
  ];
  const presentations: string[] = [];
  for (const name of POLICY_KEYS) {
    const f = POLICY_FIELDS[name];
    strings.push([name, f.title], [`${name}_Explain`, f.description]);
    const s = fieldJsonSchema(name);
    for (const option of s.enum ?? []) strings.push([`${name}_${option}`, option]);
    const p = presentationXml(name);
    if (p) presentations.push(p);
  }
  return `<?xml version="1.0" encoding="utf-8"?>
<policyDefinitionResources xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="1.0" schemaVersion="1.0" xmlns="${NS}">
  <displayName>Sessions</displayName>
  <description>Managed settings of the Sessions recorder extension</description>
  <resources>
    <stringTable>
${strings.map(([id, text]) => `      <string id="${id}">${xml(text)}</string>`).join("\n")}
    </stringTable>
    <presentationTable>
${presentations.join("\n")}
    </presentationTable>
  </resources>
</policyDefinitionResources>
`;
}

function categoryId(browser: string): string {
  return `Sessions_${browser.replace(/[^A-Za-z]/g, "")}`;
}

function policyXml(name: PolicyKey, category: string, key: string): string {
  const f = POLICY_FIELDS[name];
  const id = `${category}_${name}`;
  const head = `    <policy name="${id}" class="Machine" displayName="$(string.${name})" explainText="$(string.${name}_Explain)"`;
  const common = `      <parentCategory ref="${category}" />\n      <supportedOn ref="SUPPORTED_SESSIONS" />`;
  if (f.chromeType === "boolean")
    return `${head} key="${xml(key)}" valueName="${name}">\n${common}\n      <enabledValue><decimal value="1" /></enabledValue>\n      <disabledValue><decimal value="0" /></disabledValue>\n    </policy>`;
  return `${head} key="${xml(key)}" presentation="$(presentation.${name})">\n${common}\n      <elements>\n        ${elementXml(name, key)}\n      </elements>\n    </policy>`;
}

function elementXml(name: PolicyKey, key: string): string {
  const f = POLICY_FIELDS[name];
  const s = fieldJsonSchema(name);
  if (f.chromeType === "integer")
    return `<decimal id="${name}" valueName="${name}" required="true" minValue="${s.minimum ?? 0}" maxValue="${s.maximum ?? 2147483647}" />`;
  if (f.chromeType === "string-array") return `<list id="${name}" key="${xml(`${key}\\${name}`)}" valuePrefix="" />`;
  if (s.enum) {
    const items = s.enum.map(
      (o) => `          <item displayName="$(string.${name}_${o})"><value><string>${xml(o)}</string></value></item>`,
    );
    return `<enum id="${name}" valueName="${name}" required="true">\n${items.join("\n")}\n        </enum>`;
  }
  return `<text id="${name}" valueName="${name}" required="true" maxLength="${s.maxLength ?? 1024}" />`;
}

function presentationXml(name: PolicyKey): string | null {
  const f = POLICY_FIELDS[name];
  const label = xml(f.title);
  const open = `      <presentation id="${name}">`;
  if (f.chromeType === "boolean") return null;
  if (f.chromeType === "integer")
    return `${open}\n        <decimalTextBox refId="${name}" defaultValue="${f.example}">${label}</decimalTextBox>\n      </presentation>`;
  if (f.chromeType === "string-array")
    return `${open}\n        <listBox refId="${name}">${label}</listBox>\n      </presentation>`;
  if (fieldJsonSchema(name).enum)
    return `${open}\n        <dropdownList refId="${name}" noSort="true">${label}</dropdownList>\n      </presentation>`;
  return `${open}\n        <textBox refId="${name}">\n          <label>${label}</label>\n        </textBox>\n      </presentation>`;
}
