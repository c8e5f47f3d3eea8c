//! Helpers for the process-level tests: run the real `sessions-audio` binary with pipes, start a
//! private PulseAudio server (null sink `sys`) and stop it on drop, decode segments with the real
//! ffmpeg, and measure signals. A missing tool fails the test with its name — nothing is skipped.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use serde_json::Value;

pub fn require(tool: &str) {
    let found =
        std::env::var_os("PATH").map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file())).unwrap_or(false);
    assert!(found, "required tool '{tool}' is not installed (run scripts/setup/rust.sh)");
}

pub fn monotonic_ns() -> u64 {
    sessions_audio::clock::monotonic_ns()
}

pub fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sessions-audio-it-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A private PulseAudio server; killed (and its folder removed) on drop.
pub struct Pulse {
    child: Child,
    pub dir: PathBuf,
}

impl Pulse {
    pub fn start(name: &str) -> Self {
        for t in ["pulseaudio", "pactl", "paplay"] {
            require(t);
        }
        let dir = temp_dir(&format!("pulse-{name}"));
        let child = Command::new("pulseaudio")
            .args([
                "-n",
                "--daemonize=no",
                "--exit-idle-time=-1",
                "--disallow-exit",
                "--log-target=stderr",
                "--log-level=error",
                "--load=module-native-protocol-unix",
                "--load=module-null-sink sink_name=sys",
            ])
            .envs(Self::env_for(&dir))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .expect("cannot run pulseaudio");
        let pulse = Self { child, dir };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let ok = pulse.pactl(&["info"]).is_ok();
            if ok {
                break;
            }
            assert!(Instant::now() < deadline, "PulseAudio did not come up within 10 s");
            std::thread::sleep(Duration::from_millis(100));
        }
        pulse
    }

    fn env_for(dir: &Path) -> Vec<(String, String)> {
        vec![
            ("XDG_RUNTIME_DIR".into(), dir.display().to_string()),
            ("HOME".into(), dir.display().to_string()),
            ("PULSE_SERVER".into(), format!("unix:{}/pulse/native", dir.display())),
        ]
    }

    pub fn env(&self) -> Vec<(String, String)> {
        Self::env_for(&self.dir)
    }

    pub fn pactl(&self, args: &[&str]) -> Result<String, String> {
        let out = Command::new("pactl").args(args).envs(self.env()).output().map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    /// Plays a file into a sink and waits until it has been played.
    pub fn play(&self, sink: &str, file: &Path) {
        let st = Command::new("paplay").args(["-d", sink]).arg(file).envs(self.env()).status().expect("paplay");
        assert!(st.success(), "paplay failed");
    }
}

impl Drop for Pulse {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The real binary, with every stdout line collected (parsed) with its arrival time.
pub struct Audio {
    pub child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<(Instant, Value)>,
    pub seen: Vec<(Instant, Value)>,
}

impl Audio {
    pub fn spawn(env: &[(String, String)]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sessions-audio"))
            .envs(env.iter().cloned())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("cannot start sessions-audio");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let v: Value =
                    serde_json::from_str(&line).unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line}"));
                if tx.send((Instant::now(), v)).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        Self { child, stdin, lines: rx, seen: Vec::new() }
    }

    pub fn send(&mut self, v: Value) {
        let stdin = self.stdin.as_mut().expect("stdin already closed");
        writeln!(stdin, "{v}").unwrap();
        stdin.flush().unwrap();
    }

    pub fn send_raw(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin already closed");
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
    }

    /// Waits for the first line (not seen before) matching `pred`.
    pub fn wait_for(&mut self, what: &str, timeout: Duration, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok((t, v)) => {
                    self.seen.push((t, v.clone()));
                    if pred(&v) {
                        return v;
                    }
                }
                Err(_) => panic!(
                    "timed out waiting for {what}; saw {:?}",
                    self.seen.iter().map(|(_, v)| v).collect::<Vec<_>>()
                ),
            }
        }
    }

    pub fn reply(&mut self, id: &str, timeout: Duration) -> Value {
        self.wait_for(&format!("reply to {id}"), timeout, |v| v["id"] == id)
    }

    /// Closes stdin and waits for the exit; returns how long the exit took after EOF.
    pub fn close_and_wait(&mut self) -> Duration {
        let t0 = Instant::now();
        drop(self.stdin.take());
        let status = self.child.wait().unwrap();
        let took = t0.elapsed();
        while let Ok((t, v)) = self.lines.recv_timeout(Duration::from_millis(200)) {
            self.seen.push((t, v));
        }
        assert!(status.success(), "sessions-audio exited with {status}");
        took
    }

    pub fn events(&self, ty: &str) -> Vec<Value> {
        self.seen.iter().filter(|(_, v)| v["type"] == ty).map(|(_, v)| v.clone()).collect()
    }
}

impl Drop for Audio {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start_command(id: &str, origin_ns: u64, spool: &Path, seg: u32, mic: Value, system: Value) -> Value {
    serde_json::json!({
        "type": "start", "id": id, "sessionId": "it-session",
        "clock": {"originNs": origin_ns.to_string()},
        "spoolDir": spool.display().to_string(), "segmentSeconds": seg,
        "mic": mic, "system": system,
    })
}

/// Decodes a file with ffmpeg at 48 kHz and averages its two channels (ffmpeg's own mono
/// downmix adds them at −3 dB each, which would misstate levels).
pub fn decode_mono(path: &Path) -> Vec<f32> {
    require("ffmpeg");
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-f", "f32le", "-ac", "2", "-ar", "48000", "-"])
        .output()
        .expect("ffmpeg");
    assert!(out.status.success(), "ffmpeg cannot decode {}: {}", path.display(), String::from_utf8_lossy(&out.stderr));
    out.stdout
        .chunks_exact(8)
        .map(|b| {
            let l = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            let r = f32::from_le_bytes([b[4], b[5], b[6], b[7]]);
            (l + r) / 2.0
        })
        .collect()
}

/// Decodes every segment event in order, checking each decodes on its own to exactly `units`
/// samples and that the segments are contiguous on the media timeline.
pub fn decode_segments(segments: &[Value]) -> (u64, Vec<f32>) {
    assert!(!segments.is_empty(), "no segments");
    let mut all = Vec::new();
    let first = segments[0]["firstSample"].as_u64().unwrap();
    let mut next = first;
    for (i, s) in segments.iter().enumerate() {
        assert_eq!(s["seq"].as_u64().unwrap(), i as u64);
        assert_eq!(s["firstSample"].as_u64().unwrap(), next, "segment {i} is not contiguous");
        let units = s["units"].as_u64().unwrap();
        let path = PathBuf::from(s["path"].as_str().unwrap());
        assert_eq!(std::fs::metadata(&path).unwrap().len(), s["bytes"].as_u64().unwrap());
        let pcm = decode_mono(&path);
        assert_eq!(pcm.len() as u64, units, "segment {i} decodes to {} samples, event says {units}", pcm.len());
        all.extend(pcm);
        next += units;
    }
    (first, all)
}

/// Amplitude and phase fit of a sine at `freq` over `x` (least squares via one DFT bin).
pub fn tone_fit(x: &[f32], freq: f64, offset: usize) -> (f64, f64) {
    let (mut c, mut s) = (0.0, 0.0);
    for (i, v) in x.iter().enumerate() {
        let w = 2.0 * std::f64::consts::PI * freq * (i + offset) as f64 / 48_000.0;
        c += *v as f64 * w.cos();
        s += *v as f64 * w.sin();
    }
    let n = x.len() as f64;
    (2.0 * c / n, 2.0 * s / n)
}

pub fn remove_tone(x: &mut [f32], freq: f64, (a, b): (f64, f64)) {
    for (i, v) in x.iter_mut().enumerate() {
        let w = 2.0 * std::f64::consts::PI * freq * i as f64 / 48_000.0;
        *v -= (a * w.cos() + b * w.sin()) as f32;
    }
}

/// Best lag of `reference` inside `signal` and the normalised cross-correlation there.
pub fn find(signal: &[f32], reference: &[f32]) -> (usize, f64) {
    use rustfft::num_complex::Complex;
    let n = (signal.len() + reference.len()).next_power_of_two();
    let mut planner = rustfft::FftPlanner::<f64>::new();
    let fwd = planner.plan_fft_forward(n);
    let inv = planner.plan_fft_inverse(n);
    let mut a: Vec<Complex<f64>> = (0..n).map(|i| Complex::new(*signal.get(i).unwrap_or(&0.0) as f64, 0.0)).collect();
    let mut b: Vec<Complex<f64>> =
        (0..n).map(|i| Complex::new(*reference.get(i).unwrap_or(&0.0) as f64, 0.0)).collect();
    fwd.process(&mut a);
    fwd.process(&mut b);
    let mut c: Vec<Complex<f64>> = a.iter().zip(&b).map(|(x, y)| x * y.conj()).collect();
    inv.process(&mut c);
    let max_lag = signal.len().saturating_sub(reference.len());
    let lag = (0..=max_lag).max_by(|&i, &j| c[i].re.total_cmp(&c[j].re)).unwrap_or(0);
    (lag, ncc_at(signal, reference, lag))
}

pub fn ncc_at(signal: &[f32], reference: &[f32], lag: usize) -> f64 {
    let (mut xy, mut xx, mut yy) = (0.0, 0.0, 0.0);
    for (i, r) in reference.iter().enumerate() {
        let s = *signal.get(lag + i).unwrap_or(&0.0) as f64;
        let r = *r as f64;
        xy += s * r;
        xx += s * s;
        yy += r * r;
    }
    xy / (xx * yy).sqrt().max(1e-12)
}

pub fn rms(x: &[f32]) -> f64 {
    (x.iter().map(|v| (*v as f64).powi(2)).sum::<f64>() / x.len().max(1) as f64).sqrt()
}

/// A low-latency stream into a sink, fed in real time by a thread: silence, with 100 ms bursts
/// of a 1 kHz tone (amplitude 0.5) starting at the CLOCK_MONOTONIC instants asked for. Sound
/// written at instant T plays within the stream's latency (20 ms), so the recording should hold
/// each burst at T on the session clock. Dropping it stops the stream.
pub struct Feeder {
    child: Child,
    thread: Option<std::thread::JoinHandle<Vec<u64>>>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Feeder {
    pub fn start(pulse: &Pulse, sink: &str, bursts_at_ns: Vec<u64>) -> Self {
        require("pacat");
        let mut child = Command::new("pacat")
            .args(["--playback", "--raw", "-d", sink, "--format=s16le", "--rate=48000", "--channels=2"])
            .args(["--latency-msec=20", "--process-time-msec=10"])
            .envs(pulse.env())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("cannot run pacat");
        let mut stdin = child.stdin.take().unwrap();
        // A default pipe holds 64 KiB, 341 ms of this stream: shrink it to one page (21 ms), or
        // whatever queues in it while pacat connects would delay every later sound.
        {
            use std::os::fd::AsRawFd;
            // SAFETY: F_SETPIPE_SZ on a pipe fd this process owns; failure leaves it as it was.
            let ok = unsafe { libc::fcntl(stdin.as_raw_fd(), libc::F_SETPIPE_SZ, 4096) };
            assert!(ok > 0, "cannot shrink the pipe to pacat");
        }
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stop_t = stop.clone();
        let thread = std::thread::spawn(move || {
            const CHUNK: usize = 480; // 10 ms
            let burst = 4_800u64;
            let t0 = monotonic_ns();
            let mut written = 0u64;
            let mut started = vec![0u64; bursts_at_ns.len()];
            // In a burst: (index, samples of it written so far).
            let mut current: Option<(usize, u64)> = None;
            while !stop_t.load(std::sync::atomic::Ordering::Relaxed) {
                let due = t0 + written * 1_000_000_000 / 48_000;
                let now = monotonic_ns();
                if due > now {
                    std::thread::sleep(Duration::from_nanos(due - now));
                } else if now - due > 20_000_000 {
                    // Held up (pacat connecting, a busy machine): skip ahead rather than queue
                    // audio in the pipe, which would play it late.
                    written = (now - t0) * 48_000 / 1_000_000_000;
                }
                let now = monotonic_ns();
                if current.is_none() {
                    if let Some(i) = (0..bursts_at_ns.len()).find(|&i| started[i] == 0 && bursts_at_ns[i] <= now) {
                        started[i] = now;
                        current = Some((i, 0));
                    }
                }
                let mut buf = Vec::with_capacity(CHUNK * 4);
                for _ in 0..CHUNK {
                    let v = match current.as_mut() {
                        Some((_, n)) if *n < burst => {
                            let s = 0.5 * (2.0 * std::f64::consts::PI * 1_000.0 * *n as f64 / 48_000.0).sin();
                            *n += 1;
                            (s * 32_767.0) as i16
                        }
                        _ => 0,
                    };
                    buf.extend_from_slice(&v.to_le_bytes());
                    buf.extend_from_slice(&v.to_le_bytes());
                }
                if current.is_some_and(|(_, n)| n >= burst) {
                    current = None;
                }
                if stdin.write_all(&buf).is_err() {
                    break;
                }
                written += CHUNK as u64;
            }
            started
        });
        Self { child, thread: Some(thread), stop }
    }

    /// Stops the stream; returns the CLOCK_MONOTONIC instant each burst was written (0: never).
    pub fn finish(mut self) -> Vec<u64> {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let started = self.thread.take().map(|t| t.join().unwrap()).unwrap_or_default();
        let _ = self.child.kill();
        let _ = self.child.wait();
        started
    }
}

impl Drop for Feeder {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Indices where the signal's 5 ms RMS rises above `threshold` after at least 50 ms below it.
pub fn onsets(x: &[f32], threshold: f64) -> Vec<usize> {
    let mut found = Vec::new();
    let mut quiet = 10;
    for (i, w) in x.chunks(240).enumerate() {
        if rms(w) > threshold {
            if quiet >= 10 {
                found.push(i * 240);
            }
            quiet = 0;
        } else {
            quiet += 1;
        }
    }
    found
}
