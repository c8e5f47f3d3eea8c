import { type ParsedPolicy, parseManagedPolicy } from "./parse-policy";

/**
 * Reads the administrator's policy from chrome.storage.managed and follows its changes, always as
 * a ParsedPolicy (validated, with warnings). A browser without managed storage, or one that
 * fails to read it, yields an empty policy plus a warning — recording is never blocked by an
 * unreadable policy store, and the failure is visible.
 */

export interface ManagedArea {
  get(): Promise<Record<string, unknown>>;
  onChanged?: { addListener(fn: () => void): void; removeListener(fn: () => void): void };
}

export function chromeManagedArea(): ManagedArea | undefined {
  return globalThis.chrome?.storage?.managed as ManagedArea | undefined;
}

export async function readManagedPolicy(area: ManagedArea | undefined = chromeManagedArea()): Promise<ParsedPolicy> {
  if (!area) return parseManagedPolicy(undefined);
  try {
    return parseManagedPolicy(await area.get());
  } catch (err) {
    return { policy: {}, warnings: [{ key: "(root)", message: `could not read managed storage: ${String(err)}` }] };
  }
}

/** Calls `onChange` with the re-read policy after every change; returns the unsubscribe. */
export function watchManagedPolicy(
  onChange: (p: ParsedPolicy) => void,
  area: ManagedArea | undefined = chromeManagedArea(),
): () => void {
  if (!area?.onChanged) return () => undefined;
  const listener = () => void readManagedPolicy(area).then(onChange);
  area.onChanged.addListener(listener);
  return () => area.onChanged?.removeListener(listener);
}
