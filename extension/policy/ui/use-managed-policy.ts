import { useEffect, useState } from "preact/hooks";
import { readManagedPolicy, watchManagedPolicy } from "../managed-store";
import type { ParsedPolicy } from "../parse-policy";

/** The managed policy in an extension page, re-read live when the administrator changes it. */
export function useManagedPolicy(): ParsedPolicy | null {
  const [parsed, setParsed] = useState<ParsedPolicy | null>(null);
  useEffect(() => {
    void readManagedPolicy().then(setParsed);
    return watchManagedPolicy(setParsed);
  }, []);
  return parsed;
}
