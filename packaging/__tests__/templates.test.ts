import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { EXTENSION_ID, HOST_NAME } from "@sessions/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { managedSchema } from "../../extension/policy/managed-schema";
import { parseManagedPolicy } from "../../extension/policy/parse-policy";
import { examplePolicy, POLICY_KEYS } from "../../extension/policy/policy-fields";
import { generateKit } from "../src/generate-kit";
import { kitInput } from "../src/kit-input";
import { main } from "../src/policy-kit-cli";
import { windowsReg } from "../src/windows-reg";

let out: string;
beforeAll(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), "sessions-kit-"));
  generateKit(kitInput({ updateUrl: "https://it.example.org/sessions.xml" }), out);
});
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

const read = (rel: string) => fs.readFileSync(path.join(out, rel), "utf8");

function tool(name: string, pkg: string): string {
  try {
    return execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim();
  } catch {
    throw new Error(`${name} is missing: apt-get install ${pkg} (scripts/test.d/70-policy.sh installs it)`);
  }
}

describe("Linux policy JSON", () => {
  it("force-installs the real extension ID, allows only the host system-wide, and carries valid managed settings", () => {
    const doc = JSON.parse(read("linux/sessions.json"));
    expect(doc.ExtensionSettings).toEqual({
      [EXTENSION_ID]: { installation_mode: "force_installed", update_url: "https://it.example.org/sessions.xml" },
    });
    expect(doc.NativeMessagingAllowlist).toEqual([HOST_NAME]);
    expect(doc.NativeMessagingUserLevelHosts).toBe(false);
    const managed = doc["3rdparty"].extensions[EXTENSION_ID];
    expect(parseManagedPolicy(managed)).toEqual({ policy: examplePolicy(), warnings: [] });
    // and each value has the type the manifest schema declares, so Chrome will not drop it
    const schema = managedSchema();
    for (const [k, v] of Object.entries(managed)) {
      const t = schema.properties[k]?.type;
      expect(t === "array" ? Array.isArray(v) : t === "integer" ? Number.isInteger(v) : typeof v === t, k).toBe(true);
    }
  });
});

describe("macOS configuration profile", () => {
  it("is a well-formed plist (xmllint) that python's plistlib reads back with the same values", () => {
    execFileSync(tool("xmllint", "libxml2-utils"), ["--noout", path.join(out, "macos/sessions.mobileconfig")]);
    const py = `import plistlib,json,sys; print(json.dumps(plistlib.load(open(sys.argv[1],'rb'))))`;
    const profile = JSON.parse(
      execFileSync(tool("python3", "python3"), ["-c", py, path.join(out, "macos/sessions.mobileconfig")], {
        encoding: "utf8",
      }),
    );
    expect(profile).toMatchObject({ PayloadType: "Configuration", PayloadScope: "System", PayloadVersion: 1 });
    const byType = new Map(profile.PayloadContent.map((p: { PayloadType: string }) => [p.PayloadType, p]));
    expect(byType.get("com.google.Chrome")).toMatchObject({
      ExtensionSettings: { [EXTENSION_ID]: { installation_mode: "force_installed" } },
      NativeMessagingAllowlist: [HOST_NAME],
      NativeMessagingUserLevelHosts: false,
    });
    for (const domain of ["com.google.Chrome", "org.chromium.Chromium", "com.microsoft.Edge"]) {
      const ext = byType.get(`${domain}.extensions.${EXTENSION_ID}`) as Record<string, unknown>;
      expect(ext, domain).toBeDefined();
      for (const k of POLICY_KEYS) expect(ext[k], `${domain} ${k}`).toEqual(examplePolicy()[k]);
    }
    const uuids = profile.PayloadContent.map((p: { PayloadUUID: string }) => p.PayloadUUID);
    expect(new Set(uuids).size).toBe(uuids.length);
    for (const u of uuids) expect(u).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-5[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/);
  });
});

describe("Windows .reg", () => {
  it("is UTF-16LE with a BOM and sets every managed value under 3rdparty\\extensions\\<id>\\policy", () => {
    const bytes = fs.readFileSync(path.join(out, "windows/sessions.reg"));
    expect([...bytes.subarray(0, 2)]).toEqual([0xff, 0xfe]);
    const text = bytes.subarray(2).toString("utf16le");
    expect(text.startsWith("Windows Registry Editor Version 5.00\r\n")).toBe(true);
    const values = parseReg(text);
    const ext = `HKEY_LOCAL_MACHINE\\Software\\Policies\\Google\\Chrome\\3rdparty\\extensions\\${EXTENSION_ID}\\policy`;
    const p = examplePolicy();
    expect(values.get(ext)).toEqual({
      recordingAllowed: "dword:00000001",
      forbiddenMessage: p.forbiddenMessage,
      microphoneAllowed: "dword:00000001",
      systemAudioAllowed: "dword:00000000",
      maxFps: `dword:${p.maxFps.toString(16).padStart(8, "0")}`,
      maxWidth: "dword:00000780",
      maxHeight: "dword:00000438",
      segmentSeconds: "dword:0000000a",
      layout: p.layout,
      retentionDays: "dword:0000001e",
      storageCapMB: `dword:${p.storageCapMB.toString(16).padStart(8, "0")}`,
    });
    expect(values.get(`${ext}\\allowedSources`)).toEqual({ "1": "display", "2": "window" });
    const chrome = values.get("HKEY_LOCAL_MACHINE\\Software\\Policies\\Google\\Chrome") as Record<string, string>;
    expect(JSON.parse(chrome.ExtensionSettings as string)[EXTENSION_ID].installation_mode).toBe("force_installed");
    expect(chrome.NativeMessagingUserLevelHosts).toBe("dword:00000000");
    expect(values.get("HKEY_LOCAL_MACHINE\\Software\\Policies\\Microsoft\\Edge\\NativeMessagingAllowlist")).toEqual({
      "1": HOST_NAME,
    });
  });

  it("escapes quotes and backslashes in strings", () => {
    const text = windowsReg(kitInput({ policy: { forbiddenMessage: 'Ask "IT" at C:\\help' } }));
    expect(text).toContain('"forbiddenMessage"="Ask \\"IT\\" at C:\\\\help"');
  });
});

describe("ADMX / ADML", () => {
  it("are well-formed XML, and every string and presentation the ADMX names exists in the ADML", () => {
    const xmllint = tool("xmllint", "libxml2-utils");
    execFileSync(xmllint, [
      "--noout",
      path.join(out, "windows/sessions.admx"),
      path.join(out, "windows/en-US/sessions.adml"),
    ]);
    const admx = read("windows/sessions.admx");
    const adml = read("windows/en-US/sessions.adml");
    const strings = new Set([...adml.matchAll(/<string id="([^"]+)"/g)].map((m) => m[1]));
    const presentations = new Set([...adml.matchAll(/<presentation id="([^"]+)"/g)].map((m) => m[1]));
    for (const m of admx.matchAll(/\$\(string\.([^)]+)\)/g)) expect(strings.has(m[1]), m[1]).toBe(true);
    for (const m of admx.matchAll(/\$\(presentation\.([^)]+)\)/g)) expect(presentations.has(m[1]), m[1]).toBe(true);
    for (const k of POLICY_KEYS) {
      expect(admx).toContain(`name="Sessions_GoogleChrome_${k}"`);
      expect(admx).toContain(`name="Sessions_MicrosoftEdge_${k}"`);
    }
    expect(admx).toContain(`key="Software\\Policies\\Google\\Chrome\\3rdparty\\extensions\\${EXTENSION_ID}\\policy"`);
    expect(admx).toMatch(/<decimal id="maxFps" valueName="maxFps" required="true" minValue="1" maxValue="60" \/>/);
    expect(admx).toMatch(/<enum id="layout"[\s\S]*<string>side-by-side<\/string>/);
  });
});

describe("README for IT", () => {
  it("documents every managed setting", () => {
    const readme = fs.readFileSync(path.join(import.meta.dirname, "../README.md"), "utf8");
    for (const k of POLICY_KEYS) expect(readme, k).toContain(`\`${k}\``);
  });
});

describe("policy-kit CLI", () => {
  it("refuses an organization policy the extension would ignore (exit 2), writes nothing", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sessions-kit-bad-"));
    try {
      fs.writeFileSync(path.join(dir, "p.json"), JSON.stringify({ maxFps: 500 }));
      expect(main(["--out", path.join(dir, "out"), "--policy", path.join(dir, "p.json")])).toBe(2);
      expect(fs.existsSync(path.join(dir, "out"))).toBe(false);
      expect(main(["--out", path.join(dir, "out"), "--update-url", "http://insecure.example"])).toBe(2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** key → {valueName: raw value}; strings unescaped, dwords kept as written. */
function parseReg(text: string): Map<string, Record<string, string>> {
  const keys = new Map<string, Record<string, string>>();
  let current: Record<string, string> | null = null;
  for (const line of text.split("\r\n")) {
    const key = line.match(/^\[(-?)(.+)\]$/);
    if (key) {
      current = key[1] ? null : {};
      if (current) keys.set(key[2] as string, current);
      continue;
    }
    const v = line.match(/^"((?:[^"\\]|\\.)*)"=(?:"((?:[^"\\]|\\.)*)"|(dword:[0-9a-f]{8}))$/);
    if (v && current) current[v[1] as string] = v[2] !== undefined ? v[2].replace(/\\(.)/g, "$1") : (v[3] as string);
    else if (line.trim() && !line.startsWith("Windows Registry")) throw new Error(`unparsed .reg line: ${line}`);
  }
  return keys;
}
