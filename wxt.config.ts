import preact from "@preact/preset-vite";
import { defineConfig } from "wxt";
import { EXTENSION_PUBLIC_KEY } from "./shared/src/extension-identity";

export default defineConfig({
  srcDir: "extension",
  outDir: ".output",
  vite: () => ({ plugins: [preact()] }),
  manifest: {
    name: "Sessions",
    description: "Record the windows you choose, your microphone and system audio; review them on a timeline.",
    key: EXTENSION_PUBLIC_KEY,
    minimum_chrome_version: "116",
    permissions: ["nativeMessaging", "storage", "unlimitedStorage", "sidePanel", "alarms"],
    action: { default_title: "Sessions: start recording" },
    side_panel: { default_path: "sidepanel.html" },
    // Enterprise policy (chrome.storage.managed): generated from extension/policy/policy-fields.ts.
    storage: { managed_schema: "managed_schema.json" },
    commands: {
      "toggle-recording": {
        suggested_key: { default: "Alt+Shift+R" },
        description: "Start or stop recording",
      },
    },
  },
});
