//! Native messaging frames: 4-byte little-endian length + UTF-8 JSON. The relay reads whole frames
//! from the daemon (so it never writes a torn one) and writes the two it makes itself.

use std::io::{self, Read};

/// Chrome closes the port on a host→browser frame over 1 MiB; the daemon never sends one, and a
/// length beyond this means the stream is not frames at all.
pub const MAX_OUTBOUND: usize = 1024 * 1024;

/// Reads the next whole frame (header included) into `frame`. Ok(false) at a clean end of stream.
pub fn read_frame(r: &mut impl Read, frame: &mut Vec<u8>) -> io::Result<bool> {
    let mut header = [0u8; 4];
    match r.read_exact(&mut header) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(false),
        Err(e) => return Err(e),
    }
    let len = u32::from_le_bytes(header) as usize;
    if len > MAX_OUTBOUND {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("frame of {len} bytes from the daemon"),
        ));
    }
    frame.clear();
    frame.extend_from_slice(&header);
    frame.resize(4 + len, 0);
    r.read_exact(&mut frame[4..])?;
    Ok(true)
}

pub fn frame(json: &str) -> Vec<u8> {
    let mut f = Vec::with_capacity(4 + json.len());
    f.extend_from_slice(&(json.len() as u32).to_le_bytes());
    f.extend_from_slice(json.as_bytes());
    f
}

/// The first frame on a daemon connection: who is calling (the origin is checked by its shape
/// already) and which build of the host this relay belongs to.
pub fn relay_hello(origin: Option<&str>, build: Option<&str>) -> Vec<u8> {
    let string = |v: Option<&str>| v.map_or("null".to_string(), |o| format!("\"{}\"", escape(o)));
    frame(&format!(
        "{{\"type\":\"relay.hello\",\"origin\":{},\"build\":{}}}",
        string(origin),
        string(build)
    ))
}

pub fn error_frame(code: &str, message: &str) -> Vec<u8> {
    frame(&format!(
        "{{\"type\":\"error\",\"id\":null,\"code\":\"{}\",\"message\":\"{}\",\"retryable\":false}}",
        escape(code),
        escape(message)
    ))
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_whole_frames_and_a_clean_end() {
        let mut stream = frame("{\"a\":1}");
        stream.extend(frame(""));
        let mut r = &stream[..];
        let mut f = Vec::new();
        assert!(read_frame(&mut r, &mut f).expect("first"));
        assert_eq!(&f[4..], b"{\"a\":1}");
        assert!(read_frame(&mut r, &mut f).expect("second"));
        assert_eq!(f.len(), 4);
        assert!(!read_frame(&mut r, &mut f).expect("end"));
    }

    #[test]
    fn a_torn_frame_is_an_error_not_output() {
        let stream = frame("{\"a\":1}");
        let mut r = &stream[..6];
        let mut f = Vec::new();
        assert!(read_frame(&mut r, &mut f).is_err());
    }

    #[test]
    fn refuses_a_length_over_the_outbound_cap() {
        let stream = ((MAX_OUTBOUND + 1) as u32).to_le_bytes();
        let mut f = Vec::new();
        assert!(read_frame(&mut &stream[..], &mut f).is_err());
    }

    #[test]
    fn made_frames_are_json_with_escapes() {
        let e = error_frame("INTERNAL", "no \"daemon\"\n\\");
        assert_eq!(
            u32::from_le_bytes([e[0], e[1], e[2], e[3]]) as usize,
            e.len() - 4
        );
        let text = std::str::from_utf8(&e[4..]).expect("utf8");
        assert_eq!(
            text,
            "{\"type\":\"error\",\"id\":null,\"code\":\"INTERNAL\",\"message\":\"no \\\"daemon\\\"\\u000a\\\\\",\"retryable\":false}"
        );
        assert_eq!(
            &relay_hello(None, Some("12:34"))[4..],
            b"{\"type\":\"relay.hello\",\"origin\":null,\"build\":\"12:34\"}"
        );
    }
}
