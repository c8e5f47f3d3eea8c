//! The shared protocol fixtures (`shared/fixtures/audio-command` and `audio-output`) decode and
//! re-encode to the same JSON value in Rust; every invalid one is rejected.

use std::path::{Path, PathBuf};

use serde_json::Value;
use sessions_audio::protocol::{decode_command, Command, Output};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures")
}

fn files(channel: &str, kind: &str) -> Vec<(String, String)> {
    let dir = fixtures().join(channel).join(kind);
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("fixture folder {} missing: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no fixtures in {}", dir.display());
    out
}

/// JSON equality with numbers compared by value (1 == 1.0), as the fixture README asks.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

#[test]
fn valid_commands_round_trip() {
    for (name, text) in files("audio-command", "valid") {
        let cmd: Command = decode_command(&text).unwrap_or_else(|e| panic!("{name}: rejected: {e:?}"));
        let original: Value = serde_json::from_str(&text).unwrap();
        let encoded = serde_json::to_value(&cmd).unwrap();
        assert!(same(&original, &encoded), "{name}: {original} became {encoded}");
    }
}

#[test]
fn invalid_commands_are_rejected() {
    for (name, text) in files("audio-command", "invalid") {
        assert!(decode_command(&text).is_err(), "{name} was accepted");
    }
}

#[test]
fn valid_outputs_round_trip() {
    for (name, text) in files("audio-output", "valid") {
        let out: Output = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: rejected: {e}"));
        let original: Value = serde_json::from_str(&text).unwrap();
        let encoded: Value = serde_json::from_str(&out.to_line()).unwrap();
        assert!(same(&original, &encoded), "{name}: {original} became {encoded}");
    }
}

#[test]
fn invalid_outputs_are_rejected() {
    for (name, text) in files("audio-output", "invalid") {
        assert!(serde_json::from_str::<Output>(&text).is_err(), "{name} was accepted");
    }
}
