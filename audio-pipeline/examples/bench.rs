//! Benchmark of the audio pipeline (run by `scripts/bench.d/audio.sh`, which starts a private
//! PulseAudio with a null sink `sys` playing noise and exports its environment).
//!
//! 1. Offline: two 48 kHz stereo sources through the real processing path — format conversion,
//!    mixing with gains, limiter, Opus, WebM segments written to disk — timed with the thread's
//!    CPU clock: CPU time per second of audio.
//! 2. Live: the real `sessions-audio` binary recording a synthetic mic plus the PulseAudio
//!    monitor for BENCH_SECONDS (default 600): its CPU share of one core, resident memory over
//!    the run (sampled from /proc), and capture-to-segment latency (segment event arrival minus
//!    the session time of the segment's last sample).
//!
//! Prints one JSON object `{results, targets}` on stdout.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sessions_audio::capture::synthetic::{Generator, Signal};
use sessions_audio::clock::monotonic_ns;
use sessions_audio::encode::opus::OpusEncoder;
use sessions_audio::mix::{mix_into, Limiter};
use sessions_audio::pipeline::{OPUS_BITRATE, OPUS_COMPLEXITY};
use sessions_audio::resample::StereoResampler;
use sessions_audio::segment::Segmenter;

fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: valid out-pointer; CLOCK_THREAD_CPUTIME_ID is supported on Linux.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

fn offline(seconds: usize) -> Value {
    let dir = std::env::temp_dir().join(format!("sessions-audio-bench-{}", std::process::id()));
    let encoder = OpusEncoder::new(OPUS_BITRATE, OPUS_COMPLEXITY).expect("opus");
    let mut seg = Segmenter::new(encoder, dir.clone(), 10, 0).expect("spool");
    let (mut a, mut b) = (Generator::new(Signal::Tone(440.0)), Generator::new(Signal::Sweep));
    let (mut ra, mut rb) = (StereoResampler::new(48_000, 2).unwrap(), StereoResampler::new(48_000, 2).unwrap());
    let mut limiter = Limiter::default();
    let (mut ca, mut cb, mut xa, mut xb, mut mix) =
        (vec![0f32; 960], vec![0f32; 960], Vec::new(), Vec::new(), Vec::new());
    let mut segments = 0;
    let t0 = thread_cpu_ns();
    for _ in 0..seconds * 100 {
        a.fill(&mut ca);
        b.fill(&mut cb);
        xa.clear();
        xb.clear();
        ra.process(&ca, &mut xa).unwrap();
        rb.process(&cb, &mut xb).unwrap();
        mix.clear();
        mix.resize(960, 0.0);
        mix_into(&mut mix, &xa, 0.8);
        mix_into(&mut mix, &xb, 0.9);
        limiter.process(&mut mix);
        seg.push(&mix, &mut |_| segments += 1).unwrap();
    }
    let cpu = thread_cpu_ns() - t0;
    let _ = std::fs::remove_dir_all(dir);
    let per_second_ms = cpu as f64 / 1e6 / seconds as f64;
    json!({
        "audioSeconds": seconds,
        "segments": segments,
        "cpuMsPerAudioSecond": per_second_ms,
        "cpuPercentOfOneCore": per_second_ms / 10.0,
    })
}

fn proc_cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    // Fields 14 and 15 (utime, stime) are 12 and 13 after the command name.
    f.get(11).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
        + f.get(12).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
}

fn rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn live(seconds: u64) -> Value {
    let bin = concat!(env!("CARGO_MANIFEST_DIR"), "/target/release/sessions-audio");
    let spool = std::env::temp_dir().join(format!("sessions-audio-bench-live-{}", std::process::id()));
    let mut child = Command::new(bin)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run target/release/sessions-audio (build it first)");
    let pid = child.id();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel::<(u64, Value)>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Ok(v) = serde_json::from_str::<Value>(&line) {
                let _ = tx.send((monotonic_ns(), v));
            }
        }
    });
    let mut stdin = child.stdin.take().unwrap();
    let origin = monotonic_ns();
    let start = json!({
        "type": "start", "id": "1", "sessionId": "bench", "clock": {"originNs": origin.to_string()},
        "spoolDir": spool.display().to_string(), "segmentSeconds": 2,
        "mic": {"device": "synthetic:tone:440", "gain": 0.5}, "system": {"gain": 1.0},
    });
    writeln!(stdin, "{start}").unwrap();
    let mut events: Vec<(u64, Value)> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (t, v) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())).expect("no reply to start");
        let done = v["id"] == "1";
        events.push((t, v.clone()));
        if done {
            assert_eq!(v["type"], "ok", "start failed: {v}");
            break;
        }
    }
    // Warm-up, then measure.
    std::thread::sleep(Duration::from_secs(5));
    let tck = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    let (cpu0, t0) = (proc_cpu_ticks(pid), Instant::now());
    let mut rss: Vec<(f64, u64)> = Vec::new();
    while t0.elapsed() < Duration::from_secs(seconds) {
        rss.push((t0.elapsed().as_secs_f64(), rss_kb(pid)));
        std::thread::sleep(
            Duration::from_secs(5)
                .min(Duration::from_secs(seconds).saturating_sub(t0.elapsed()))
                .max(Duration::from_millis(100)),
        );
    }
    let cpu_s = (proc_cpu_ticks(pid) - cpu0) as f64 / tck;
    let wall = t0.elapsed().as_secs_f64();
    rss.push((wall, rss_kb(pid)));
    writeln!(stdin, "{}", json!({"type": "stop", "id": "2"})).unwrap();
    drop(stdin);
    let _ = child.wait();
    events.extend(rx.try_iter());
    while let Ok(e) = rx.recv_timeout(Duration::from_millis(300)) {
        events.push(e);
    }
    let _ = std::fs::remove_dir_all(&spool);

    let mut latency: Vec<f64> = events
        .iter()
        .filter(|(_, v)| v["type"] == "segment")
        .filter_map(|(t, v)| {
            let end_ns = origin + v["endUs"].as_u64()? * 1000;
            Some((*t as f64 - end_ns as f64) / 1e6)
        })
        .collect();
    latency.sort_by(f64::total_cmp);
    let health: Vec<&Value> = events.iter().filter(|(_, v)| v["type"] == "health").map(|(_, v)| v).collect();
    let last = health.last().copied().cloned().unwrap_or(Value::Null);
    // Linear fit of RSS over time, after the first minute (or the first half of a short run).
    let skip = rss.iter().position(|(t, _)| *t >= (wall / 2.0).min(60.0)).unwrap_or(0);
    let tail = &rss[skip..];
    let n = tail.len() as f64;
    let (mx, my) = (tail.iter().map(|p| p.0).sum::<f64>() / n, tail.iter().map(|p| p.1 as f64).sum::<f64>() / n);
    let sxx: f64 = tail.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = tail.iter().map(|p| (p.0 - mx) * (p.1 as f64 - my)).sum();
    let slope_kb_per_min = if sxx > 0.0 { sxy / sxx * 60.0 } else { 0.0 };
    json!({
        "seconds": wall,
        "cpuPercentOfOneCore": cpu_s / wall * 100.0,
        "rssKbStart": rss.first().map(|p| p.1),
        "rssKbMax": rss.iter().map(|p| p.1).max(),
        "rssKbEnd": rss.last().map(|p| p.1),
        "rssSlopeKbPerMinute": slope_kb_per_min,
        "segments": latency.len(),
        "captureToSegmentLatencyMs": {
            "median": percentile(&latency, 0.5), "p95": percentile(&latency, 0.95), "max": percentile(&latency, 1.0),
            "note": "segment event arrival minus the session time of the segment's last sample (2 s segments)"
        },
        "health": {
            "events": health.len(),
            "overruns": last["overruns"], "droppedSamples": last["droppedSamples"],
            "encoderLagMs": last["encoderLagMs"], "callbackJitterUs": last["callbackJitterUs"],
            "maxBufferFill": health.iter().filter_map(|h| h["bufferFill"].as_f64()).fold(0.0, f64::max),
        },
    })
}

fn main() {
    let seconds: u64 = std::env::var("BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(600);
    let off = offline(120);
    eprintln!("offline: {off}");
    let on = live(seconds);
    let out = json!({
        "results": {"offline": off, "live": on},
        "targets": {
            "cpuPercentOfOneCore": {"max": 1.0, "what": "two 48 kHz stereo sources mixed and encoded"},
            "rssMb": {"max": 20, "flat": true, "over": "a 10-minute recording"},
            "captureToSegmentLatencyMs": {"what": "measured; 2 s segments plus the 250 ms look-behind"}
        }
    });
    println!("{out}");
}
