import { render } from "preact";
import { ensurePersistentStorage } from "../../storage/quota";
import { SidePanelApp } from "../../ui/side-panel-app";

// `?session=<id>` opens that session's detail directly.
const initial = new URLSearchParams(location.search).get("session");
void ensurePersistentStorage(navigator.storage).catch(() => false);
const root = document.getElementById("app");
if (root) render(<SidePanelApp initialSession={initial} />, root);
