import { Layout } from "@sessions/shared";
import { useEffect, useState } from "preact/hooks";
import { applyPolicy, videoChoiceAllowed } from "../policy/apply-policy";
import { LockedNote } from "../policy/ui/locked-note";
import { PolicyNotice } from "../policy/ui/policy-notice";
import { useManagedPolicy } from "../policy/ui/use-managed-policy";
import { DEFAULT_SETTINGS, loadSettings, type Settings, saveSettings, VideoSourceChoice } from "../settings/settings";
import { useDb } from "./hooks/use-db";

/** Recording defaults (layout, fps, audio sources, segment length), validated by the settings schema on save. */
export function OptionsForm() {
  const { db } = useDb();
  const [settings, setSettings] = useState<Settings | null>(null);
  const [message, setMessage] = useState("");
  const policy = useManagedPolicy()?.policy ?? {};
  useEffect(() => {
    if (db) void loadSettings(db).then(setSettings);
  }, [db]);
  if (!db || !settings) return <p>Loading…</p>;
  // Managed values win: locked fields show the policy's value and cannot be edited; what is saved
  // stays the person's own choice, which applies again if the policy goes away.
  const { settings: shown, locks } = applyPolicy(settings, policy);
  const set = <K extends keyof Settings>(k: K, v: Settings[K]) => setSettings({ ...settings, [k]: v });
  const save = async (e: Event) => {
    e.preventDefault();
    try {
      setSettings(await saveSettings(db, settings));
      setMessage("Saved.");
    } catch (err) {
      setMessage(`Not saved: ${String((err as Error).message)}`);
    }
  };
  return (
    <form onSubmit={save} data-testid="options-form">
      <PolicyNotice db={db} />
      <label>
        Video
        <select value={settings.video} onChange={(e) => set("video", VideoSourceChoice.parse(e.currentTarget.value))}>
          {VideoSourceChoice.options.map((o) => (
            <option key={o} value={o} disabled={!videoChoiceAllowed(o, policy)}>
              {o}
            </option>
          ))}
        </select>
        <LockedNote reason={locks.video} />
      </label>
      <label>
        Layout
        <select
          value={shown.layout}
          disabled={!!locks.layout}
          onChange={(e) => set("layout", Layout.parse(e.currentTarget.value))}
        >
          {Layout.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
        <LockedNote reason={locks.layout} />
      </label>
      <label>
        Frames per second
        <input
          type="number"
          min={1}
          max={policy.maxFps ?? 60}
          value={shown.fps}
          onInput={(e) => set("fps", Number(e.currentTarget.value))}
        />
        <LockedNote reason={locks.fps} />
      </label>
      <label>
        Segment length (s)
        <input
          type="number"
          min={1}
          max={60}
          value={shown.segmentSeconds}
          disabled={!!locks.segmentSeconds}
          onInput={(e) => set("segmentSeconds", Number(e.currentTarget.value))}
        />
        <LockedNote reason={locks.segmentSeconds} />
      </label>
      <label>
        <input
          type="checkbox"
          checked={shown.mic !== null}
          disabled={!!locks.mic}
          onChange={(e) => set("mic", e.currentTarget.checked ? "default" : null)}
        />
        Microphone
        <LockedNote reason={locks.mic} />
      </label>
      <label>
        <input
          type="checkbox"
          checked={shown.systemAudio}
          disabled={!!locks.systemAudio}
          onChange={(e) => set("systemAudio", e.currentTarget.checked)}
        />
        System audio
        <LockedNote reason={locks.systemAudio} />
      </label>
      <div>
        <button type="submit">Save</button>{" "}
        <button type="button" onClick={() => setSettings(DEFAULT_SETTINGS)}>
          Reset to defaults
        </button>{" "}
        <span data-testid="options-message">{message}</span>
      </div>
    </form>
  );
}
