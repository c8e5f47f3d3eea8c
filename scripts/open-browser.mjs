// Opens a visible Chromium with the built extension loaded into the given profile, and stays
// until the browser is closed. Loading goes through the DevTools pipe (as the e2e tests do),
// which works where --load-extension is no longer honoured.
import path from "node:path";
import puppeteer from "puppeteer-core";

const profile = process.argv[2];
const root = path.resolve(import.meta.dirname, "..");
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  headless: false,
  pipe: true,
  userDataDir: profile,
  enableExtensions: [path.join(root, ".output/chrome-mv3")],
  defaultViewport: null,
  args: [
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    ...(process.getuid?.() === 0 ? ["--no-sandbox"] : []),
  ],
});
browser.on("disconnected", () => process.exit(0));
