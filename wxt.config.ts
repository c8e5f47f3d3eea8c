import preact from "@preact/preset-vite";
import { defineConfig } from "wxt";

/** Public half of the extension's signing key: it fixes the extension ID that host manifests and policies name. */
export const EXTENSION_PUBLIC_KEY =
  "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqsV7sEplQ0pT3Bpo5253/ASLRkfhtKUOetL6ZGxPpi9q8QWeTyRz5cHHPwrscqh2AN1U8p5faXz+7iK4Suclz+EJILygJPAaZaXGbTPSCWlYowSTq6D8OStgOC6xCBvztUhk3QlVbx3GhwBf87gT0XOYb793BogSXplgIG/7LMzOgecy9pB9kUqsDdxkCeQSUCPjMD60EPmUVB53zcvtJZ0LO2+wwT/ZdvfPAYSji60niDdteE29h2ruhG9PruHtPQ7sZ1ngHuPcYgJUPQHbSfcnZgPJGUTCh78+KZvxeFHxY3HFDbpfGkEQhsFbEQHnvsRXrrL4eGxq2CnjoXKlxQIDAQAB";

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
    commands: {
      "toggle-recording": {
        suggested_key: { default: "Alt+Shift+R" },
        description: "Start or stop recording",
      },
    },
  },
});
