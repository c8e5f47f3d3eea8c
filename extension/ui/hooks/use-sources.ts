import type { SourcesListResult } from "@sessions/shared";
import { useCallback, useEffect, useState } from "preact/hooks";
import { SourcesReply, type UiRequest } from "../../session/ui-messages";

/**
 * What the host can record now, asked through the worker (which opens a short connection of its
 * own). `refresh` asks again; `error` names why the last ask failed (no host, host error).
 */
export interface SourcesState {
  sources: SourcesListResult | null;
  error: string | null;
  loading: boolean;
  refresh: () => void;
}

export function useSources(enabled: boolean): SourcesState {
  const [sources, setSources] = useState<SourcesListResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const refresh = useCallback(() => {
    setLoading(true);
    const req: UiRequest = { type: "sources.list" };
    chrome.runtime
      .sendMessage(req)
      .then((raw: unknown) => {
        const parsed = SourcesReply.safeParse(raw);
        if (parsed.success) {
          setSources(parsed.data.sources);
          setError(null);
        } else setError((raw as { error?: string } | undefined)?.error ?? "the background gave no source list");
      })
      .catch((err: unknown) => setError(String(err)))
      .finally(() => setLoading(false));
  }, []);
  useEffect(() => {
    if (enabled) refresh();
  }, [enabled, refresh]);
  return { sources, error, loading, refresh };
}
