//! Reads stdin as lines with a size cap, so one runaway line cannot exhaust memory: a line longer
//! than `MAX_LINE_BYTES` is skipped up to its newline and reported as too large; invalid UTF-8 is
//! reported as malformed. Nothing here panics on input.

use std::io::{BufRead, Read};

pub const MAX_LINE_BYTES: usize = 1 << 20;

#[derive(Debug, PartialEq)]
pub enum Line {
    Text(String),
    TooLarge,
    NotUtf8,
}

/// The next line without its newline; `None` at EOF (or a read error, which ends input too).
pub fn next_line(input: &mut impl BufRead) -> Option<Line> {
    let mut buf = Vec::new();
    let n = input.by_ref().take(MAX_LINE_BYTES as u64 + 1).read_until(b'\n', &mut buf).ok()?;
    if n == 0 {
        return None;
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
    } else if buf.len() > MAX_LINE_BYTES {
        // Skip the rest of the oversized line.
        loop {
            let mut rest = Vec::new();
            let m = input.by_ref().take(MAX_LINE_BYTES as u64).read_until(b'\n', &mut rest).ok()?;
            if m == 0 || rest.last() == Some(&b'\n') {
                break;
            }
        }
        return Some(Line::TooLarge);
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Some(String::from_utf8(buf).map(Line::Text).unwrap_or(Line::NotUtf8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_lines_and_flags_bad_ones() {
        let mut big = vec![b'x'; MAX_LINE_BYTES + 10];
        big.push(b'\n');
        let mut data = b"{\"a\":1}\r\n".to_vec();
        data.extend(big);
        data.extend(b"\xff\xfe\nlast");
        let mut r = std::io::BufReader::new(&data[..]);
        assert_eq!(next_line(&mut r), Some(Line::Text("{\"a\":1}".into())));
        assert_eq!(next_line(&mut r), Some(Line::TooLarge));
        assert_eq!(next_line(&mut r), Some(Line::NotUtf8));
        assert_eq!(next_line(&mut r), Some(Line::Text("last".into())));
        assert_eq!(next_line(&mut r), None);
    }
}
