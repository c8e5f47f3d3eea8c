//! `sessions-audio`: launched by the native host with no arguments; commands arrive as JSON lines
//! on stdin, replies and events leave as JSON lines on stdout, logs go to stderr. Exits after
//! closing the current segment when stdin reaches EOF.

use sessions_audio::emit::Emitter;
use sessions_audio::error_code::ErrorCode;
use sessions_audio::lines::{next_line, Line, MAX_LINE_BYTES};
use sessions_audio::protocol::{decode_command, Output};
use sessions_audio::session::Session;

fn main() -> anyhow::Result<()> {
    let emitter = Emitter::stdout();
    let mut session = Session::new(emitter.clone());
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    eprintln!("sessions-audio {} ready", env!("CARGO_PKG_VERSION"));
    while let Some(line) = next_line(&mut input) {
        match line {
            Line::Text(text) if text.trim().is_empty() => continue,
            Line::Text(text) => match decode_command(&text) {
                Ok(cmd) => session.handle(cmd),
                Err(e) => emitter.emit(&Output::error(e.id.as_deref(), e.code, e.message)),
            },
            Line::TooLarge => emitter.emit(&Output::error(
                None,
                ErrorCode::MessageTooLarge,
                format!("line longer than {MAX_LINE_BYTES} bytes"),
            )),
            Line::NotUtf8 => emitter.emit(&Output::error(None, ErrorCode::MalformedJson, "line is not UTF-8")),
        }
    }
    session.finish();
    Ok(())
}
