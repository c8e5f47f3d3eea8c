import { browserPolicies, type KitInput, POLICY_BROWSERS } from "./kit-input";

/**
 * A Windows .reg file (Registry Editor 5.00) under HKLM\Software\Policies for Chrome, Chromium and
 * Edge: ExtensionSettings as its JSON string, lists as numbered values in a subkey, booleans and
 * integers as DWORDs; the extension's managed settings under `3rdparty\extensions\<id>\policy`,
 * where Chromium browsers read 3rd-party policy on Windows. Written as UTF-16LE with a BOM and
 * CRLF, the encoding regedit expects for this header.
 */
export function windowsReg(k: KitInput): string {
  const lines = ["Windows Registry Editor Version 5.00", ""];
  for (const b of POLICY_BROWSERS) {
    const root = `HKEY_LOCAL_MACHINE\\${b.winKey}`;
    const p = browserPolicies(k);
    lines.push(`[${root}]`, `"ExtensionSettings"=${regString(JSON.stringify(p.ExtensionSettings))}`);
    lines.push(`"NativeMessagingUserLevelHosts"=dword:${dword(p.NativeMessagingUserLevelHosts ? 1 : 0)}`, "");
    lines.push(...listKey(`${root}\\NativeMessagingAllowlist`, p.NativeMessagingAllowlist));
    const ext = `${root}\\3rdparty\\extensions\\${k.extensionId}\\policy`;
    const scalars: string[] = [];
    const lists: string[] = [];
    for (const [key, v] of Object.entries(k.policy)) {
      if (Array.isArray(v)) lists.push(...listKey(`${ext}\\${key}`, v.map(String)));
      else if (typeof v === "boolean") scalars.push(`"${key}"=dword:${dword(v ? 1 : 0)}`);
      else if (typeof v === "number") scalars.push(`"${key}"=dword:${dword(v)}`);
      else scalars.push(`"${key}"=${regString(String(v))}`);
    }
    lines.push(`[${ext}]`, ...scalars, "", ...lists);
  }
  return lines.join("\r\n");
}

/** The file's bytes: BOM + UTF-16LE. */
export function windowsRegBytes(k: KitInput): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(windowsReg(k), "utf16le")]);
}

function listKey(key: string, values: string[]): string[] {
  // Delete first so a shorter list does not keep stale entries from an older import.
  return [`[-${key}]`, "", `[${key}]`, ...values.map((v, i) => `"${i + 1}"=${regString(v)}`), ""];
}

function regString(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

function dword(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`${n} does not fit a DWORD`);
  return n.toString(16).padStart(8, "0");
}
