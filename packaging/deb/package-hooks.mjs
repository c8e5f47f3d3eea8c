// Maintainer-script logic of the sessions-host .deb, run by the packaged Node (postinst, prerm).
// postinst: notes which manifest folders do not exist yet (so removal deletes only what the
// package created), then installs the host manifest for every browser system-wide.
// prerm: uninstalls the manifests and removes the folders the package created, if empty.
// The notes live in /var/lib/sessions-host; postrm (plain sh) is the safety net that reads them.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const NODE = "/opt/sessions/bin/node";
const CLI = "/opt/sessions/lib/cli.mjs";
const LAUNCHER = "/opt/sessions/bin/sessions-host";
const STATE = "/var/lib/sessions-host";

const cli = (...args) => execFileSync(NODE, [CLI, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });

function manifestPaths() {
  let out;
  try {
    out = cli("doctor", "--system", "--json");
  } catch (e) {
    out = e.stdout; // exit 3 (nothing installed yet) still prints the entries
  }
  return JSON.parse(out).entries.map((e) => e.manifestPath);
}

function missingDirs(files) {
  const missing = new Set();
  for (const f of files) {
    for (let d = path.dirname(f); d !== "/" && !fs.existsSync(d); d = path.dirname(d)) missing.add(d);
  }
  // deepest first, so removal can rmdir in order
  return [...missing].sort((a, b) => b.split("/").length - a.split("/").length || a.localeCompare(b));
}

const command = process.argv[2];
if (command === "postinst") {
  const files = manifestPaths();
  const previous = fs.existsSync(`${STATE}/created-dirs`)
    ? fs.readFileSync(`${STATE}/created-dirs`, "utf8").split("\n").filter(Boolean)
    : [];
  const created = [...new Set([...previous, ...missingDirs(files)])];
  fs.mkdirSync(STATE, { recursive: true });
  fs.writeFileSync(`${STATE}/manifests`, `${files.join("\n")}\n`);
  fs.writeFileSync(`${STATE}/created-dirs`, `${created.join("\n")}\n`);
  process.stdout.write(cli("install", "--system", "--launcher", LAUNCHER));
} else if (command === "prerm") {
  process.stdout.write(cli("uninstall", "--system"));
  const created = fs.existsSync(`${STATE}/created-dirs`)
    ? fs.readFileSync(`${STATE}/created-dirs`, "utf8").split("\n").filter(Boolean)
    : [];
  for (const d of created) {
    try {
      fs.rmdirSync(d); // only when empty: anything another package or person put there stays
    } catch {}
  }
} else {
  process.stderr.write(`package-hooks: unknown command ${command}\n`);
  process.exit(2);
}
