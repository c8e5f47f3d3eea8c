// Bundles the policy-kit CLI (packaging/src/policy-kit-cli.ts) into packaging/dist/policy-kit.mjs.
import path from "node:path";
import { build } from "esbuild";

const here = import.meta.dirname;
await build({
  entryPoints: [path.join(here, "src/policy-kit-cli.ts")],
  outfile: path.join(here, "dist/policy-kit.mjs"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  logLevel: "warning",
});
