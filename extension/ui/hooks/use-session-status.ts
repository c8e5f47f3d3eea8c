import { useEffect, useState } from "preact/hooks";
import type { SessionStatus } from "../../session/status";
import { StatusBroadcast, UiReply, type UiRequest } from "../../session/ui-messages";

/** The live machine status from the worker: asked once, then pushed on every change. */
export function useSessionStatus(): SessionStatus | null {
  const [status, setStatus] = useState<SessionStatus | null>(null);
  useEffect(() => {
    const onMessage = (msg: unknown) => {
      const parsed = StatusBroadcast.safeParse(msg);
      if (parsed.success) setStatus(parsed.data.status);
    };
    chrome.runtime.onMessage.addListener(onMessage);
    void sendUi({ type: "session.getStatus" }).then((r) => r.ok && setStatus(r.status));
    return () => chrome.runtime.onMessage.removeListener(onMessage);
  }, []);
  return status;
}

export async function sendUi(req: UiRequest): Promise<UiReply> {
  const parsed = UiReply.safeParse(await chrome.runtime.sendMessage(req));
  return parsed.success ? parsed.data : { ok: false, error: "bad reply from the background" };
}

/** Re-renders every second while recording, so the timer moves between status pushes. */
export function useTicker(active: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [active]);
  return now;
}
