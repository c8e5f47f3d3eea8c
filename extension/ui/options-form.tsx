import { Layout } from "@sessions/shared";
import { useEffect, useState } from "preact/hooks";
import { DEFAULT_SETTINGS, loadSettings, type Settings, saveSettings, VideoSourceChoice } from "../settings/settings";
import { useDb } from "./hooks/use-db";

/** Recording defaults (layout, fps, audio sources, segment length), validated by the settings schema on save. */
export function OptionsForm() {
  const { db } = useDb();
  const [settings, setSettings] = useState<Settings | null>(null);
  const [message, setMessage] = useState("");
  useEffect(() => {
    if (db) void loadSettings(db).then(setSettings);
  }, [db]);
  if (!db || !settings) return <p>Loading…</p>;
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
      <label>
        Video
        <select value={settings.video} onChange={(e) => set("video", VideoSourceChoice.parse(e.currentTarget.value))}>
          {VideoSourceChoice.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      </label>
      <label>
        Layout
        <select value={settings.layout} onChange={(e) => set("layout", Layout.parse(e.currentTarget.value))}>
          {Layout.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      </label>
      <label>
        Frames per second
        <input
          type="number"
          min={1}
          max={60}
          value={settings.fps}
          onInput={(e) => set("fps", Number(e.currentTarget.value))}
        />
      </label>
      <label>
        Segment length (s)
        <input
          type="number"
          min={1}
          max={60}
          value={settings.segmentSeconds}
          onInput={(e) => set("segmentSeconds", Number(e.currentTarget.value))}
        />
      </label>
      <label>
        <input
          type="checkbox"
          checked={settings.mic !== null}
          onChange={(e) => set("mic", e.currentTarget.checked ? "default" : null)}
        />
        Microphone
      </label>
      <label>
        <input
          type="checkbox"
          checked={settings.systemAudio}
          onChange={(e) => set("systemAudio", e.currentTarget.checked)}
        />
        System audio
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
