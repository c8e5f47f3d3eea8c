/**
 * `node packaging/dist/policy-kit.mjs [--out DIR] [--update-url URL] [--policy FILE.json]`
 * Generates the policy templates for IT (Linux JSON, macOS .mobileconfig, Windows .reg and
 * ADMX/ADML) from the extension's real ID and managed schema. --policy supplies the organization's
 * own values (validated exactly as the extension will; a rejected value is exit 2, not a template).
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { generateKit } from "./generate-kit";
import { kitInput } from "./kit-input";

export function main(argv: string[]): number {
  try {
    const { values } = parseArgs({
      args: argv,
      options: { out: { type: "string" }, "update-url": { type: "string" }, policy: { type: "string" } },
    });
    const policy = values.policy ? JSON.parse(fs.readFileSync(values.policy, "utf8")) : undefined;
    const input = kitInput({ updateUrl: values["update-url"], policy });
    const out = path.resolve(values.out ?? "policy-templates");
    for (const f of generateKit(input, out)) process.stdout.write(`wrote ${path.join(out, f)}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`policy-kit: ${(e as Error).message}\n`);
    return 2;
  }
}

if (process.argv[1]?.endsWith("policy-kit.mjs")) process.exit(main(process.argv.slice(2)));
