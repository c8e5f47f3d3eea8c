import { bootBackground, handleUiRequest, refreshBadge, SESSION_TICK_ALARM } from "../session/background-wiring";
import { UiRequest } from "../session/ui-messages";

// Thin entrypoint: listeners are registered in the worker's first turn (so MV3 wakes it for
// them); the work happens in the feature modules once the controller has restored its state.
export default defineBackground(() => {
  const ready = bootBackground();
  ready.catch((err) => console.error("[sessions] background failed to start", err));

  chrome.action.onClicked.addListener((tab) => {
    // sidePanel.open must run inside the click's user gesture: before any await.
    if (tab.windowId !== undefined) chrome.sidePanel.open({ windowId: tab.windowId }).catch(() => undefined);
    void ready.then((c) => c.command("toggle"));
  });

  chrome.commands.onCommand.addListener((command) => {
    if (command === "toggle-recording") void ready.then((c) => c.command("toggle"));
  });

  chrome.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === SESSION_TICK_ALARM) void ready.then(refreshBadge);
  });

  chrome.runtime.onMessage.addListener((message, _sender, sendResponse) => {
    if (!UiRequest.safeParse(message).success) return false;
    void ready
      .then((c) => handleUiRequest(c, message))
      .then(sendResponse, (err) => sendResponse({ ok: false, error: String(err) }));
    return true;
  });

  chrome.runtime.onSuspend?.addListener(() => {
    void ready.then((c) => c.flush());
  });
});
