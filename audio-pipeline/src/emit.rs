//! The one writer of stdout: each `Output` becomes one JSON line, written and flushed under a
//! mutex so lines from the control thread and the pipeline thread never interleave. Nothing else
//! in the process writes to stdout (logs go to stderr). A closed stdout is ignored: the host is
//! gone and stdin EOF will end the process.

use std::io::Write;
use std::sync::{Arc, Mutex};

use crate::protocol::Output;

#[derive(Clone)]
pub struct Emitter {
    sink: Arc<Mutex<Box<dyn Write + Send>>>,
}

impl Emitter {
    pub fn stdout() -> Self {
        Self::new(Box::new(std::io::stdout()))
    }

    pub fn new(sink: Box<dyn Write + Send>) -> Self {
        Self { sink: Arc::new(Mutex::new(sink)) }
    }

    pub fn emit(&self, out: &Output) {
        let mut line = out.to_line();
        line.push('\n');
        let mut sink = match self.sink.lock() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        let _ = sink.write_all(line.as_bytes());
        let _ = sink.flush();
    }
}

/// An in-memory sink for tests: collects every line written.
#[derive(Clone, Default)]
pub struct Captured(pub Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut v) = self.0.lock() {
            v.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    pub fn lines(&self) -> Vec<serde_json::Value> {
        let data = self.0.lock().map(|v| v.clone()).unwrap_or_default();
        String::from_utf8_lossy(&data).lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
    }
}
