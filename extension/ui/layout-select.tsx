import type { Layout } from "@sessions/shared";
import { LockedNote } from "../policy/ui/locked-note";

/**
 * The layout choice, before a recording (the picker) and during one (the active session): a
 * select over the three layouts, locked with a note when the organization fixed the layout.
 * `onlyOneSource` marks "one source" as unavailable (several sources are being recorded).
 */

const LAYOUTS: { value: Layout; label: string }[] = [
  { value: "passthrough", label: "One source (grid when several)" },
  { value: "grid", label: "Grid" },
  { value: "side-by-side", label: "Side by side" },
];

interface Props {
  testid: string;
  value: Layout;
  locked: Layout | undefined;
  onChange: (layout: Layout) => void;
  onlyOneSource?: boolean;
}

export function LayoutSelect({ testid, value, locked, onChange, onlyOneSource = false }: Props) {
  return (
    <>
      <label>
        Layout{" "}
        <select
          data-testid={testid}
          value={value}
          disabled={locked !== undefined}
          onChange={(e) => onChange((e.currentTarget as HTMLSelectElement).value as Layout)}
        >
          {LAYOUTS.map((l) => (
            <option key={l.value} value={l.value} disabled={l.value === "passthrough" && onlyOneSource}>
              {l.value === "passthrough" && onlyOneSource ? "One source (record a single one)" : l.label}
            </option>
          ))}
        </select>
      </label>
      {locked !== undefined && <LockedNote reason={`Layout ${locked}, set by your organization.`} />}
    </>
  );
}
