import { HOST_NAME } from "@sessions/shared";

/** Shown when Chrome finds no native host: what to install, and where its manifest goes. */
export function InstallHelp() {
  const id = chrome.runtime.id;
  return (
    <div class="install-help" data-testid="install-help">
      <h3>Install the Sessions host</h3>
      <p>Recording needs the Sessions native host on this computer. From the Sessions repository run:</p>
      <pre>npm run build:host && node native-host/dist/cli.mjs install</pre>
      <p>
        Check it with <code>node native-host/dist/cli.mjs doctor --live</code>.
      </p>
      <p>
        This writes the manifest <code>{HOST_NAME}.json</code> into Chrome's <code>NativeMessagingHosts</code> folder
        (on Linux <code>~/.config/chromium/NativeMessagingHosts/</code>), allowing <code>chrome-extension://{id}/</code>
        . Then click the toolbar button again.
      </p>
    </div>
  );
}
