import { useEffect, useState } from "preact/hooks";
import { loadSettings } from "../../settings/settings";
import type { Db } from "../../storage/open-db";
import { applyPolicy, startRefusal } from "../apply-policy";
import type { ParsedPolicy } from "../parse-policy";
import { useManagedPolicy } from "./use-managed-policy";

/**
 * What the organization's policy means for the person, in the side panel and on the options
 * page: why recording cannot start (forbidden source, recording off, with the administrator's
 * message), which managed values were ignored as invalid, and how long sessions are kept.
 */
export function PolicyNotice({ db, revision = 0 }: { db: Db | null; revision?: number }) {
  const parsed = useManagedPolicy();
  const refusal = useRefusal(db, parsed, revision);
  if (!parsed) return null;
  const { policy, warnings } = parsed;
  const managed = Object.keys(policy).length > 0;
  if (!managed && warnings.length === 0) return null;
  return (
    <section class="policy" data-testid="policy-notice">
      {refusal && (
        <p class="error" data-testid="policy-refusal">
          {refusal}
        </p>
      )}
      {managed && <p class="managed">Some settings are managed by your organization.</p>}
      {policy.retentionDays !== undefined && (
        <p data-testid="policy-retention">Sessions are deleted {policy.retentionDays} days after they start.</p>
      )}
      {policy.storageCapMB !== undefined && <p>Recordings may use at most {policy.storageCapMB} MB.</p>}
      {warnings.length > 0 && (
        <ul class="warn" data-testid="policy-warnings">
          {warnings.map((w) => (
            <li key={w.key} data-key={w.key}>
              Managed policy: {w.message}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function useRefusal(db: Db | null, parsed: ParsedPolicy | null, revision: number): string | null {
  const [refusal, setRefusal] = useState<string | null>(null);
  useEffect(() => {
    if (!db || !parsed) return;
    let live = true;
    void loadSettings(db).then((person) => {
      const { settings } = applyPolicy(person, parsed.policy);
      if (live) setRefusal(startRefusal(settings, parsed.policy));
    });
    return () => {
      live = false;
    };
  }, [db, parsed, revision]);
  return refusal;
}
