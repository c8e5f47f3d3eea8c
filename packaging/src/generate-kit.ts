import fs from "node:fs";
import path from "node:path";
import { managedSchema } from "../../extension/policy/managed-schema";
import { adml, admx } from "./admx";
import type { KitInput } from "./kit-input";
import { linuxPolicyJson } from "./linux-policy";
import { mobileconfig } from "./mobileconfig";
import { windowsRegBytes } from "./windows-reg";

/**
 * Writes the whole deployment kit into `outDir` and returns the files written (relative paths).
 * Every file is regenerated from the same input; nothing is edited by hand.
 */
export function generateKit(k: KitInput, outDir: string): string[] {
  const files: [string, string | Buffer][] = [
    ["linux/sessions.json", linuxPolicyJson(k)],
    ["macos/sessions.mobileconfig", mobileconfig(k)],
    ["windows/sessions.reg", windowsRegBytes(k)],
    ["windows/sessions.admx", admx(k)],
    ["windows/en-US/sessions.adml", adml()],
    ["managed_schema.json", `${JSON.stringify(managedSchema(), null, 2)}\n`],
  ];
  for (const [rel, content] of files) {
    const file = path.join(outDir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  return files.map(([rel]) => rel);
}
