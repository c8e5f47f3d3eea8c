/**
 * The smallest surface of a native messaging port the client needs, so tests can hand the port
 * actor a double that speaks the real wire format. `chromeConnect` adapts chrome.runtime's port and
 * hands the disconnect reason (chrome.runtime.lastError, only readable inside the listener) over.
 */

export interface NativePort {
  postMessage(message: unknown): void;
  disconnect(): void;
  onMessage(listener: (message: unknown) => void): void;
  /** `error` is chrome.runtime.lastError's message, if any, at the time of the disconnect. */
  onDisconnect(listener: (error: string | undefined) => void): void;
}

export type ConnectNative = (hostName: string) => NativePort;

export const chromeConnect: ConnectNative = (hostName) => {
  const port = chrome.runtime.connectNative(hostName);
  return {
    postMessage: (m) => port.postMessage(m),
    disconnect: () => port.disconnect(),
    onMessage: (l) => port.onMessage.addListener((m: unknown) => l(m)),
    onDisconnect: (l) => port.onDisconnect.addListener(() => l(chrome.runtime.lastError?.message)),
  };
};
