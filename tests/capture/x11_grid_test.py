#!/usr/bin/env python3
"""swift-capture end to end on Linux: real X11 windows under a private Xvfb, captured into a grid by
the built binary (launched as .build/launch.json says), with sources added, removed and lost while
recording, stopped by closing stdin. The segments must decode with ffprobe to the expected size,
frame count and duration, start with a keyframe, and show each window's pixels in its grid cell.
Then the X server is killed mid-recording: the window is reported lost, the process and the other
source go on. Then a window that resizes itself while recording, grabbed through XShm (into shared
frame buffers, which must follow the resize and be let go) and on a server without MIT-SHM (copied
from XGetImage): its pixels must arrive either way. Fails loudly when a tool is missing. Prints
"x11-grid: N passed, N failed"."""
import json, os, shutil, signal, subprocess, sys, tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PKG = os.path.join(ROOT, "swift-capture")
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print(f"FAIL: {what}", file=sys.stderr)
    return cond


def need(tool):
    if not shutil.which(tool):
        print(f"FAIL: {tool} is not installed", file=sys.stderr)
        print("x11-grid: 0 passed, 1 failed")
        sys.exit(1)


def free_display():
    """A display number no X server holds: unused, else one whose lock names a dead process (a
    server killed without cleaning up; Xvfb takes such a stale lock over, as X servers do)."""
    stale = None
    for n in range(90, 400):
        lock, sock = f"/tmp/.X{n}-lock", f"/tmp/.X11-unix/X{n}"
        if not os.path.exists(lock) and not os.path.exists(sock):
            return n
        if stale is None and os.path.exists(lock):
            try:
                pid = int(open(lock).read().strip())
                os.kill(pid, 0)
            except ProcessLookupError:
                stale = n
            except (ValueError, OSError):
                pass
    if stale is not None:
        return stale
    raise RuntimeError("no free X display number")


class Child:
    """swift-capture with JSON lines in and out; stdout lines collected by a reader thread."""

    def __init__(self, env):
        launch = json.load(open(os.path.join(PKG, ".build", "launch.json")))
        self.proc = subprocess.Popen(launch["argv"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=sys.stderr, env={**env, **launch.get("env", {})}, text=True, bufsize=1)
        self.lines, self.bad = [], []
        self.cv = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for raw in self.proc.stdout:
            try:
                msg = json.loads(raw)
            except ValueError:
                self.bad.append(raw)
                continue
            with self.cv:
                self.lines.append(msg)
                self.cv.notify_all()

    def send(self, msg):
        self.proc.stdin.write(json.dumps(msg) + "\n")
        self.proc.stdin.flush()

    def wait_for(self, pred, timeout=10):
        deadline = time.time() + timeout
        with self.cv:
            while True:
                for m in self.lines:
                    if pred(m):
                        return m
                left = deadline - time.time()
                if left <= 0:
                    return None
                self.cv.wait(left)

    def reply(self, rid, timeout=10):
        return self.wait_for(lambda m: m.get("id") == rid and m.get("type") in ("ok", "error", "sources"), timeout)


def probe(path):
    """codec, width, height, decoded frames, and the media's length in seconds (end − start)."""
    out = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                          "stream=codec_name,width,height,nb_read_frames:format=duration,start_time", "-of", "json",
                          path], capture_output=True, text=True, check=True).stdout
    j = json.loads(out)
    s = j["streams"][0]
    length = float(j["format"]["duration"]) - float(j["format"].get("start_time", 0))
    return s["codec_name"], s["width"], s["height"], int(s["nb_read_frames"]), length


def media_start(path):
    """Time of the first frame inside the file, s (segments are stamped on the media timeline)."""
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=start_time", "-of", "json", path],
                         capture_output=True, text=True, check=True).stdout
    return float(json.loads(out)["format"]["start_time"])


def first_frame_is_key(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "frame=key_frame",
                          "-read_intervals", "%+#1", "-of", "csv=p=0", path], capture_output=True, text=True).stdout
    return out.strip().startswith("1")


def frame_rgb(path, index, w, h):
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-vf", f"select=eq(n\\,{index})", "-frames:v", "1",
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"], capture_output=True, check=True).stdout
    return raw if len(raw) == w * h * 3 else None


def mean_rgb(raw, w, x0, y0, x1, y1):
    r = g = b = n = 0
    for y in range(y0, y1, 2):
        for x in range(x0, x1, 2):
            i = (y * w + x) * 3
            r += raw[i]; g += raw[i + 1]; b += raw[i + 2]; n += 1
    return r / n, g / n, b / n


def main():
    for tool in ("Xvfb", "xterm", "xclock", "xeyes", "ffprobe", "ffmpeg"):
        need(tool)
    if not os.path.exists(os.path.join(PKG, ".build", "launch.json")):
        check(False, "swift-capture is not built (.build/launch.json missing)")
        return
    n = free_display()
    display = f":{n}"
    procs = []
    spool = tempfile.mkdtemp(prefix="swift-capture-x11-")
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    env = {**os.environ, "DISPLAY": display}
    child = None
    try:
        for _ in range(100):
            if os.path.exists(f"/tmp/.X11-unix/X{n}"):
                break
            time.sleep(0.05)
        loop = "while :; do date +%s.%N; sleep 0.05; done"
        windows = {
            "red": ["xterm", "-T", "sc-red", "-bg", "#d00000", "-fg", "white", "-geometry", "80x24+0+0", "-e", "sh", "-c", loop],
            "green": ["xterm", "-T", "sc-green", "-bg", "#00b000", "-fg", "black", "-geometry", "80x24+500+0", "-e", "sh", "-c", loop],
            "clock": ["xclock", "-update", "1", "-geometry", "300x300+0+400"],
            "eyes": ["xeyes", "-geometry", "300x200+400+400"],
        }
        for argv in windows.values():
            procs.append(subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        child = Child(env)
        ids = {}
        for attempt in range(50):
            rid = f"ls{attempt}"
            child.send({"type": "list-sources", "id": rid})
            reply = child.reply(rid)
            if reply and reply.get("type") == "sources":
                by = {(w["title"], w["app"]): w["id"] for w in reply["windows"]}
                ids = {"red": by.get(("sc-red", "xterm")), "green": by.get(("sc-green", "xterm")),
                       "clock": next((v for (t, a), v in by.items() if a == "xclock"), None),
                       "eyes": next((v for (t, a), v in by.items() if a == "xeyes"), None)}
                if all(ids.values()):
                    check(reply["displays"][0]["id"] == "x11:root" and reply["displays"][0]["width"] == 1600, "root display listed")
                    break
            time.sleep(0.1)
        if not check(all(ids.values()), f"all four windows listed: {ids}"):
            return
        origin = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
        child.send({"type": "start", "id": "start", "sessionId": "x11-grid", "clock": {"originNs": str(origin)},
                    "spoolDir": spool, "segmentSeconds": 2, "screenshotSeconds": 2,
                    "video": {"layout": "grid", "fps": 30, "maxWidth": 1280, "maxHeight": 720,
                              "sources": [{"id": ids[k], "kind": "window"} for k in ("red", "green", "clock")]}})
        r = child.reply("start")
        if not check(r and r["type"] == "ok", f"start ok: {r}"):
            return
        child.send({"type": "add-source", "id": "bad", "source": {"id": "x11:0x7fffffff", "kind": "window"}})
        r = child.reply("bad")
        check(r and r["type"] == "error" and r["code"] == "NOT_FOUND", f"unknown window → NOT_FOUND: {r}")
        time.sleep(3)
        child.send({"type": "add-source", "id": "add", "source": {"id": ids["eyes"], "kind": "window"}})
        check((child.reply("add") or {}).get("type") == "ok", "add-source ok")
        time.sleep(2.5)
        child.send({"type": "remove-source", "id": "rm", "sourceId": ids["green"]})
        check((child.reply("rm") or {}).get("type") == "ok", "remove-source ok")
        time.sleep(1.5)
        procs[2].terminate()  # xclock's window disappears while recording
        lost = child.wait_for(lambda m: m.get("type") == "timeline" and m.get("kind") == "source-lost", 5)
        check(lost is not None and ids["clock"] in lost.get("detail", ""), f"source-lost for the closed window: {lost}")
        time.sleep(1)
        child.proc.stdin.close()  # EOF: finish the current segment and exit
        try:
            code = child.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.proc.kill()
            code = "timeout"
        check(code == 0, f"exit 0 within 10 s of stdin EOF (got {code})")
        time.sleep(0.2)
        lines = child.lines
        check(not child.bad, f"stdout carries only JSON lines: {child.bad[:3]}")
        states = [m["state"] for m in lines if m["type"] == "state"]
        check(states[:1] == ["recording"] and states[-1:] == ["stopped"], f"states {states}")
        kinds = [m["kind"] for m in lines if m["type"] == "timeline"]
        check(kinds[:2] == ["source-added", "source-removed"] and "source-lost" in kinds, f"timeline {kinds}")
        health = [m for m in lines if m["type"] == "health"]
        check(len(health) >= 5, f"health about once a second ({len(health)})")
        if health:
            last = health[-1]
            check(last["framesOut"] > 200 and last["dropped"] <= last["framesOut"] // 50, f"frames out / dropped {last}")
        shots = [m for m in lines if m["type"] == "screenshot"]
        check(len(shots) >= 3, f"screenshots every 2 s ({len(shots)})")
        for s in shots:
            ok = os.path.exists(s["path"]) and open(s["path"], "rb").read(3) == b"\xff\xd8\xff"
            check(ok and len(s["phash"]) == 16 and s["mime"] == "image/jpeg", f"screenshot {s}")
        segs = [m for m in lines if m["type"] == "segment"]
        check(len(segs) >= 4, f"at least 4 segments ({len(segs)})")
        check([s["seq"] for s in segs] == list(range(len(segs))), "segment seqs in order")
        for a, b in zip(segs, segs[1:]):
            check(a["endUs"] == b["startUs"], f"segments {a['seq']}→{b['seq']} contiguous")
        for s in segs:
            codec, w, h, frames, duration = probe(s["path"])
            want = (s["endUs"] - s["startUs"]) / 1e6
            check(codec == "h264" and (w, h) == (1280, 720), f"segment {s['seq']}: {codec} {w}x{h}")
            check(frames == s["units"], f"segment {s['seq']}: {frames} decoded frames, event says {s['units']}")
            check(abs(duration - want) <= 1 / 30 + 0.001, f"segment {s['seq']}: duration {duration} vs {want}")
            check(abs(media_start(s["path"]) - s["startUs"] / 1e6) < 0.001,
                  f"segment {s['seq']}: media starts at its startUs ({media_start(s['path'])} vs {s['startUs'] / 1e6})")
            check(s["mime"].startswith("video/mp4;codecs=avc1.64"), f"mime {s['mime']}")
            check(first_frame_is_key(s["path"]), f"segment {s['seq']} starts with a keyframe")
            check(os.path.getsize(s["path"]) == s["bytes"], f"segment {s['seq']} size")
        full = [s for s in segs if s["units"] == 60]
        check(len(full) >= 3, "full 2 s segments hold 60 frames")
        # Pixels: in segment 0 (3 sources, 2×2 grid of 640×360 cells) the red xterm fills part of cell 0,
        # the green one part of cell 1; the right half of each terminal is background colour.
        raw = frame_rgb(segs[0]["path"], 30, 1280, 720)
        if check(raw is not None, "decoded a frame of segment 0"):
            red = mean_rgb(raw, 1280, 380, 200, 420, 240)
            green = mean_rgb(raw, 1280, 640 + 380, 200, 640 + 420, 240)
            check(red[0] > 150 and red[1] < 80 and red[2] < 80, f"cell 0 shows the red terminal {red}")
            check(green[1] > 120 and green[0] < 80 and green[2] < 80, f"cell 1 shows the green terminal {green}")
        # In the last segment only the red terminal and the eyes remain: a 2×1 grid of 640×720 cells.
        raw = frame_rgb(segs[-1]["path"], 0, 1280, 720)
        if check(raw is not None, "decoded a frame of the last segment"):
            red = mean_rgb(raw, 1280, 380, 340, 420, 380)
            check(red[0] > 150 and red[1] < 80, f"last segment: the red terminal in the left cell {red}")
    finally:
        if child and child.proc.poll() is None:
            child.proc.kill()
        for p in procs:
            if p.poll() is None:
                p.terminate()
        xvfb.terminate()
        try:
            xvfb.wait(timeout=5)
        except subprocess.TimeoutExpired:
            xvfb.kill()
        if os.environ.get("SWIFT_CAPTURE_KEEP_SPOOL"):
            print(f"spool kept at {spool}", file=sys.stderr)
        else:
            shutil.rmtree(spool, ignore_errors=True)


def tear_down(child, term, xvfb, spool):
    """Kills what a single-window scenario started, whatever point it failed at."""
    if child and child.proc.poll() is None:
        child.proc.kill()
    if term and term.poll() is None:
        term.kill()
    if xvfb.poll() is None:
        xvfb.kill()
    shutil.rmtree(spool, ignore_errors=True)


def server_goes_away():
    """The X server dies mid-recording: the window source is lost, the process and the other source go on."""
    n = free_display()
    display = f":{n}"
    env = {**os.environ, "DISPLAY": display}
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "800x600x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    spool = tempfile.mkdtemp(prefix="swift-capture-x11-gone-")
    term, child = None, None
    try:
        for _ in range(100):
            if os.path.exists(f"/tmp/.X11-unix/X{n}"):
                break
            time.sleep(0.05)
        term = subprocess.Popen(["xterm", "-T", "sc-doomed", "-e", "sh", "-c", "while :; do date; sleep 0.1; done"],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        child = Child(env)
        window = None
        for attempt in range(50):
            child.send({"type": "list-sources", "id": f"g{attempt}"})
            r = child.reply(f"g{attempt}") or {}
            window = next((w["id"] for w in r.get("windows", []) if w["title"] == "sc-doomed"), None)
            if window:
                break
            time.sleep(0.1)
        if not check(window, "doomed window listed"):
            return
        child.send({"type": "start", "id": "st", "sessionId": "gone",
                    "clock": {"originNs": str(time.clock_gettime_ns(time.CLOCK_MONOTONIC))},
                    "spoolDir": spool, "segmentSeconds": 1, "screenshotSeconds": 5,
                    "video": {"layout": "grid", "fps": 30, "maxWidth": 640, "maxHeight": 360,
                              "sources": [{"id": window, "kind": "window"},
                                          {"id": "test-pattern:320x240:1", "kind": "test-pattern"}]}})
        check((child.reply("st") or {}).get("type") == "ok", "start with a window and a test pattern")
        time.sleep(1.5)
        xvfb.kill()
        xvfb.wait()
        lost = child.wait_for(lambda m: m.get("type") == "timeline" and m.get("kind") == "source-lost", 5)
        check(lost is not None and window in lost.get("detail", ""), f"X server gone → source-lost ({lost})")
        time.sleep(2.2)
        check(child.proc.poll() is None, "swift-capture survives its X server")
        health = [m for m in child.lines if m.get("type") == "health"]
        check(health and health[-1]["fps"] >= 20, f"output goes on ({health[-1:]})")
        child.send({"type": "stop", "id": "stop"})
        check((child.reply("stop", 15) or {}).get("type") == "ok", "stop ok after the server died")
        child.proc.stdin.close()
        check(child.proc.wait(timeout=10) == 0, "exit 0")
    finally:
        tear_down(child, term, xvfb, spool)


def shared_segments(pid):
    """The SysV shared-memory segments mapped by a process (its XShm grab buffers)."""
    return [line for line in open(f"/proc/{pid}/maps") if "/SYSV" in line]


def grabs(shared_memory):
    """A window grabbed with XShm (straight into shared frame buffers, which follow a resize and are
    let go) or, on a server without MIT-SHM, copied from XGetImage: either way its pixels arrive."""
    n = free_display()
    display = f":{n}"
    env = {**os.environ, "DISPLAY": display}
    what = "shm" if shared_memory else "no-shm"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1024x768x24", "-nolisten", "tcp"]
                            + ([] if shared_memory else ["-extension", "MIT-SHM"]),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    spool = tempfile.mkdtemp(prefix=f"swift-capture-x11-{what}-")
    term, child = None, None
    try:
        for _ in range(100):
            if os.path.exists(f"/tmp/.X11-unix/X{n}"):
                break
            time.sleep(0.05)
        # The terminal resizes itself (xterm's window-size escape) a second into the recording.
        script = "sleep 2; printf '\\033[8;40;120t'; while :; do date +%s.%N; sleep 0.05; done"
        term = subprocess.Popen(["xterm", "-T", "sc-grab", "-bg", "#d00000", "-fg", "white", "-geometry", "60x20+0+0",
                                 "-xrm", "XTerm*allowWindowOps: true", "-e", "sh", "-c", script],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        child = Child(env)
        window = None
        for attempt in range(50):
            child.send({"type": "list-sources", "id": f"l{attempt}"})
            r = child.reply(f"l{attempt}") or {}
            window = next((w for w in r.get("windows", []) if w["title"] == "sc-grab"), None)
            if window:
                break
            time.sleep(0.1)
        if not check(window, f"{what}: window listed"):
            return
        child.send({"type": "start", "id": "st", "sessionId": what,
                    "clock": {"originNs": str(time.clock_gettime_ns(time.CLOCK_MONOTONIC))},
                    "spoolDir": spool, "segmentSeconds": 1, "screenshotSeconds": 5,
                    "video": {"layout": "passthrough", "fps": 30, "maxWidth": 1280, "maxHeight": 720,
                              "sources": [{"id": window["id"], "kind": "window"}]}})
        check((child.reply("st") or {}).get("type") == "ok", f"{what}: start")
        time.sleep(1)
        before = shared_segments(child.proc.pid)
        time.sleep(3)
        after = shared_segments(child.proc.pid)
        if shared_memory:
            check(1 <= len(before) <= 4, f"shm: grabs go into a few shared buffers ({len(before)})")
            # The buffers of the old size are detached once the resized window's frames replace them.
            check(1 <= len(after) <= 4 and not set(after) & set(before), f"shm: new buffers after the resize ({len(before)} → {len(after)})")
        else:
            check(not before and not after, f"no-shm: no shared buffers ({len(before)}, {len(after)})")
        health = [m for m in child.lines if m.get("type") == "health"]
        fresh = [h["sources"][0]["fps"] for h in health if h.get("sources")]
        check(fresh and fresh[-1] > 5, f"{what}: the terminal's frames keep coming after its resize ({fresh})")
        child.proc.stdin.close()
        check(child.proc.wait(timeout=15) == 0, f"{what}: exit 0")
        segs = [m for m in child.lines if m["type"] == "segment"]
        check(len(segs) >= 4, f"{what}: segments ({len(segs)})")
        for seg in (segs[0], segs[-1]) if segs else ():
            w, h = probe(seg["path"])[1:3]
            raw = frame_rgb(seg["path"], 0, w, h)
            red = raw and mean_rgb(raw, w, w // 4, h // 4, w * 3 // 4, h * 3 // 4)
            check(red and red[0] > 150 and red[1] < 80 and red[2] < 80, f"{what}: segment {seg['seq']} shows the red terminal {red}")
    finally:
        tear_down(child, term, xvfb, spool)


if __name__ == "__main__":
    try:
        main()
        server_goes_away()
        grabs(shared_memory=True)
        grabs(shared_memory=False)
    except Exception as e:  # a crash is a failure, reported as one
        check(False, f"crashed: {e!r}")
    print(f"x11-grid: {passed} passed, {failed} failed")
    sys.exit(1 if failed or not passed else 0)
