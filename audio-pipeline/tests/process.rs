//! The real binary driven over its pipes with synthetic sources (no sound server needed): bad
//! input gets coded errors and the process stays up; pause cuts time out of the media with no
//! gap or silence; stdin EOF closes the current segment and exits within 1 s; a full disk stops
//! the recording with DISK_FULL and keeps the finished segments.

mod common;

use std::process::Command;
use std::time::Duration;

use common::*;
use serde_json::json;

const T: Duration = Duration::from_secs(5);

#[test]
fn bad_input_gets_coded_errors_and_the_process_stays_up() {
    let dir = temp_dir("bad");
    let mut a = Audio::spawn(&[]);
    a.send_raw("this is not json");
    assert_eq!(a.wait_for("malformed", T, |v| v["type"] == "error")["code"], "MALFORMED_JSON");
    a.send_raw("[1,2,3]");
    assert_eq!(a.wait_for("not an object", T, |v| v["type"] == "error")["code"], "MALFORMED_JSON");
    a.send(json!({"type": "explode", "id": "u1"}));
    assert_eq!(a.reply("u1", T)["code"], "UNKNOWN_TYPE");
    a.send(json!({"type": "pause", "id": "p1"}));
    assert_eq!(a.reply("p1", T)["code"], "INVALID_STATE");
    let mut bad = start_command("b1", 1, &dir, 0, json!(null), json!(null));
    a.send(bad.clone());
    assert_eq!(a.reply("b1", T)["code"], "BAD_REQUEST");
    bad["segmentSeconds"] = json!(2);
    bad["id"] = json!("b2");
    a.send(bad);
    assert_eq!(a.reply("b2", T)["code"], "BAD_REQUEST", "neither mic nor system");
    a.send(start_command("m1", 1, &dir, 2, json!({"device": "alsa:no-such-mic", "gain": 1}), json!(null)));
    let missing = a.reply("m1", Duration::from_secs(15));
    assert_eq!(missing["code"], "SOURCE_UNAVAILABLE", "{missing}");
    a.send(start_command("m2", 1, &dir, 2, json!({"device": "synthetic:noise"}), json!(null)));
    assert_eq!(a.reply("m2", T)["code"], "SOURCE_UNAVAILABLE");
    // Still up and able to record.
    a.send(start_command("ok1", monotonic_ns(), &dir, 2, json!({"device": "synthetic:tone:440"}), json!(null)));
    assert_eq!(a.reply("ok1", T)["type"], "ok");
    a.send(start_command("ok2", monotonic_ns(), &dir, 2, json!({"device": "synthetic:tone:440"}), json!(null)));
    assert_eq!(a.reply("ok2", T)["code"], "INVALID_STATE", "one recording at a time");
    a.send(json!({"type": "resume", "id": "r1"}));
    assert_eq!(a.reply("r1", T)["code"], "INVALID_STATE", "resume while not paused");
    a.send(json!({"type": "stop", "id": "s1"}));
    assert_eq!(a.reply("s1", T)["type"], "ok");
    a.close_and_wait();
    for (_, v) in &a.seen {
        if v["type"] == "error" {
            let code = v["code"].as_str().unwrap();
            assert!(!code.is_empty() && v["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn pause_cuts_time_out_of_the_media_without_gap_or_silence() {
    let dir = temp_dir("pause");
    let mut a = Audio::spawn(&[]);
    let origin = monotonic_ns();
    a.send(start_command("1", origin, &dir, 1, json!({"device": "synthetic:tone:1000", "gain": 1}), json!(null)));
    assert_eq!(a.reply("1", T)["type"], "ok");
    std::thread::sleep(Duration::from_millis(1300));
    a.send(json!({"type": "pause", "id": "2"}));
    assert_eq!(a.reply("2", T)["type"], "ok");
    a.wait_for("paused state", T, |v| v["type"] == "state" && v["state"] == "paused");
    a.wait_for("pause timeline", T, |v| v["type"] == "timeline" && v["kind"] == "pause");
    std::thread::sleep(Duration::from_millis(1500));
    a.send(json!({"type": "resume", "id": "3"}));
    assert_eq!(a.reply("3", T)["type"], "ok");
    a.wait_for("resume timeline", T, |v| v["type"] == "timeline" && v["kind"] == "resume");
    std::thread::sleep(Duration::from_millis(1300));
    let stopped_at = monotonic_ns();
    a.send(json!({"type": "stop", "id": "4"}));
    assert_eq!(a.reply("4", T)["type"], "ok");
    a.close_and_wait();

    // Stop answers only after the last segment event.
    let pos = |pred: &dyn Fn(&serde_json::Value) -> bool| a.seen.iter().rposition(|(_, v)| pred(v)).unwrap();
    assert!(pos(&|v| v["type"] == "segment") < pos(&|v| v["id"] == "4"));

    let segments = a.events("segment");
    let (first, pcm) = decode_segments(&segments);
    let wall = sessions_audio::clock::ns_to_samples((stopped_at - origin) as u128) - first;
    let recorded = pcm.len() as f64 / 48_000.0;
    let expected = wall as f64 / 48_000.0 - 1.5;
    assert!((recorded - expected).abs() < 0.15, "recorded {recorded:.3} s, wall minus pause {expected:.3} s");
    // No silence anywhere between the start-up padding and the stop (which fills what the late
    // device has not delivered yet with silence): every 10 ms window holds the tone (rms 0.35;
    // the phase jump where the pause was cut may dip a window or two, never to silence).
    let win = 480;
    let quiet: Vec<String> = pcm[4_800..pcm.len() - 4_800]
        .chunks_exact(win)
        .enumerate()
        .filter(|(_, w)| rms(w) < 0.1)
        .map(|(i, w)| format!("{:.2} s: rms {:.3}", (4_800 + i * win) as f64 / 48_000.0, rms(w)))
        .collect();
    assert!(quiet.is_empty(), "gaps at {quiet:?}; timeline {:?}", a.events("timeline"));
    // Segment boundaries sit on whole seconds of media time.
    for s in &segments[1..] {
        assert_eq!(s["firstSample"].as_u64().unwrap() % 48_000, 0, "{s}");
        assert_eq!(s["startUs"].as_u64().unwrap() % 1_000_000, 0);
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn stdin_eof_closes_the_segment_and_exits_within_a_second() {
    let dir = temp_dir("eof");
    let mut a = Audio::spawn(&[]);
    a.send(start_command("1", monotonic_ns(), &dir, 10, json!({"device": "synthetic:sweep", "gain": 1}), json!(null)));
    assert_eq!(a.reply("1", T)["type"], "ok");
    std::thread::sleep(Duration::from_millis(1200));
    let took = a.close_and_wait();
    assert!(took < Duration::from_secs(1), "exit took {took:?}");
    let segments = a.events("segment");
    assert_eq!(segments.len(), 1, "the open segment was closed");
    let (_, pcm) = decode_segments(&segments);
    assert!(pcm.len() > 48_000, "{} samples", pcm.len());
    let parts = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().ends_with(".part"))
        .count();
    assert_eq!(parts, 0);
    assert_eq!(a.events("state").last().unwrap()["state"], "stopped");
    let _ = std::fs::remove_dir_all(dir);
}

/// A tmpfs mounted for the test (needs root, as the test machines are); unmounted on drop.
struct SmallDisk(std::path::PathBuf);

impl SmallDisk {
    fn mount(kib: u32) -> Self {
        let dir = temp_dir("small-disk");
        let st = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={kib}k"), "tmpfs"])
            .arg(&dir)
            .status()
            .expect("mount");
        assert!(st.success(), "cannot mount a small tmpfs (the disk-full test needs root)");
        Self(dir)
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn full_disk_stops_the_recording_and_keeps_finished_segments() {
    let disk = SmallDisk::mount(40);
    let mut a = Audio::spawn(&[]);
    // A sweep at 96 kbit/s fills ~12 KiB per 1 s segment: the fourth cannot be written.
    a.send(start_command(
        "1",
        monotonic_ns(),
        &disk.0,
        1,
        json!({"device": "synthetic:sweep", "gain": 1}),
        json!(null),
    ));
    assert_eq!(a.reply("1", T)["type"], "ok");
    let err = a.wait_for("disk full", Duration::from_secs(15), |v| v["type"] == "error");
    assert_eq!(err["code"], "DISK_FULL", "{err}");
    assert_eq!(err["id"], serde_json::Value::Null);
    a.wait_for("stopped", T, |v| v["type"] == "state" && v["state"] == "stopped");
    let segments = a.events("segment");
    assert!(segments.len() >= 2, "{} segments before the disk filled", segments.len());
    decode_segments(&segments);
    // Still up: a stop now is answered INVALID_STATE, and a new recording elsewhere starts.
    a.send(json!({"type": "stop", "id": "2"}));
    assert_eq!(a.reply("2", T)["code"], "INVALID_STATE");
    let elsewhere = temp_dir("after-full");
    a.send(start_command("3", monotonic_ns(), &elsewhere, 1, json!({"device": "synthetic:tone:440"}), json!(null)));
    assert_eq!(a.reply("3", T)["type"], "ok");
    std::thread::sleep(Duration::from_millis(300));
    a.close_and_wait();
    assert_eq!(a.events("segment").len(), segments.len() + 1);
    let _ = std::fs::remove_dir_all(elsewhere);
}

#[test]
fn a_microphone_that_goes_quiet_is_reported_and_the_recording_goes_on() {
    let dir = temp_dir("stall");
    let mut a = Audio::spawn(&[]);
    a.send(start_command("1", monotonic_ns(), &dir, 1, json!({"device": "synthetic:stall:800"}), json!(null)));
    assert_eq!(a.reply("1", T)["type"], "ok");
    let silent = a.wait_for("device-silent", T, |v| v["kind"] == "device-silent");
    assert!(silent["detail"].as_str().unwrap().contains("synthetic:stall:800"), "{silent}");
    a.wait_for("health saying silent", T, |v| v["type"] == "health" && v["devices"]["mic"] == "silent");
    let seq_now = a.events("segment").len();
    a.wait_for("segments going on", T, |v| v["type"] == "segment" && v["seq"].as_u64() > Some(seq_now as u64));
    a.send(json!({"type": "stop", "id": "2"}));
    assert_eq!(a.reply("2", T)["type"], "ok");
    a.close_and_wait();
    let (_, pcm) = decode_segments(&a.events("segment"));
    assert!(rms(&pcm[9_600..33_600]) > 0.3, "the tone is there before the stall");
    assert!(rms(&pcm[pcm.len() - 24_000..]) < 0.01, "silence after it, not a stalled timeline");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_microphone_that_vanishes_is_reported_and_reopened() {
    let dir = temp_dir("vanish");
    let mut a = Audio::spawn(&[]);
    a.send(start_command("1", monotonic_ns(), &dir, 1, json!({"device": "synthetic:vanish:700"}), json!(null)));
    assert_eq!(a.reply("1", T)["type"], "ok");
    a.wait_for("device-lost", T, |v| v["kind"] == "device-lost");
    let back = a.wait_for("device-switched", T, |v| v["kind"] == "device-switched");
    assert!(back["detail"].as_str().unwrap().contains("synthetic:vanish:700"), "{back}");
    let next = a.wait_for("health after the switch", T, |v| v["type"] == "health");
    assert_eq!(next["devices"]["mic"], "switched", "{next}");
    a.send(json!({"type": "stop", "id": "2"}));
    assert_eq!(a.reply("2", T)["type"], "ok");
    a.close_and_wait();
    let states: Vec<_> = a.events("health").iter().map(|h| h["devices"]["mic"].clone()).collect();
    assert!(states.contains(&json!("missing")) || states.contains(&json!("switched")), "{states:?}");
    decode_segments(&a.events("segment"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn without_a_sound_server_system_audio_is_unavailable() {
    let dir = temp_dir("no-server");
    let env = [
        ("PULSE_SERVER".to_string(), format!("unix:{}/no-such-socket", dir.display())),
        ("XDG_RUNTIME_DIR".to_string(), dir.display().to_string()),
    ];
    let mut a = Audio::spawn(&env);
    a.send(json!({"type": "list-sources", "id": "l"}));
    let sources = a.reply("l", Duration::from_secs(15));
    assert_eq!(sources["type"], "sources", "{sources}");
    assert_eq!(sources["system"]["available"], false, "{sources}");
    a.send(start_command("s", monotonic_ns(), &dir.join("spool"), 2, json!(null), json!({"gain": 1})));
    let err = a.reply("s", Duration::from_secs(10));
    assert_eq!(err["code"], "SOURCE_UNAVAILABLE", "{err}");
    a.close_and_wait();
    let _ = std::fs::remove_dir_all(dir);
}
