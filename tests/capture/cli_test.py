#!/usr/bin/env python3
"""swift-capture's command line without X: test-pattern sources through the real binary (launched as
.build/launch.json says) and real ffmpeg. Checks the error codes for bad and out-of-state commands,
that the process stays up after them, pause cut out of the media timeline, a static source reported
as static while never stalling the output, stop answering after its last segment, and exit 0 on
stdin EOF, and SIGTERM finishing the segment in progress. Prints "cli: N passed, N failed"."""
import json, os, shutil, signal, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from x11_grid_test import Child, media_start, probe  # noqa: E402

passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print(f"FAIL: {what}", file=sys.stderr)
    return cond


def main():
    spool = tempfile.mkdtemp(prefix="swift-capture-cli-")
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    child = Child(env)
    try:
        def ask(msg, timeout=10):
            child.send(msg)
            return child.reply(msg["id"], timeout) or {}

        child.proc.stdin.write("this is not json\n{\"type\":1}\n[1]\n")
        child.proc.stdin.flush()
        errs = [child.wait_for(lambda m, i=i: m.get("type") == "error" and
                               sum(1 for x in child.lines if x.get("type") == "error") > i, 5) for i in range(3)]
        codes = [m["code"] for m in child.lines if m.get("type") == "error"]
        check(codes[:3] == ["MALFORMED_JSON", "BAD_REQUEST", "MALFORMED_JSON"] and all(e for e in errs),
              f"bad lines → {codes}")
        check(ask({"type": "dance", "id": "u"}).get("code") == "UNKNOWN_TYPE", "unknown type")
        check(ask({"type": "pause", "id": "p0"}).get("code") == "INVALID_STATE", "pause with no session")
        check(ask({"type": "stop", "id": "s0"}).get("code") == "INVALID_STATE", "stop with no session")
        sources = ask({"type": "list-sources", "id": "ls"})
        check(sources.get("type") == "sources" and sources.get("windows") == [], f"no DISPLAY: no windows {sources}")
        origin = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
        start = {"type": "start", "id": "st", "sessionId": "cli", "clock": {"originNs": str(origin)},
                 "spoolDir": spool, "segmentSeconds": 1, "screenshotSeconds": 1,
                 "video": {"layout": "grid", "fps": 30, "maxWidth": 640, "maxHeight": 360,
                           "sources": [{"id": "test-pattern:640x360:1", "kind": "test-pattern"},
                                       {"id": "test-pattern:320x240:static", "kind": "test-pattern"}]}}
        bad = json.loads(json.dumps(start)); bad["id"] = "bad"; bad["video"]["fps"] = 240
        check(ask(bad).get("code") == "BAD_REQUEST", "fps 240 → BAD_REQUEST")
        bad2 = json.loads(json.dumps(start)); bad2["id"] = "bad2"; bad2["video"]["sources"][0]["id"] = "test-pattern:huge"
        check(ask(bad2).get("code") == "BAD_REQUEST", "bad test-pattern id → BAD_REQUEST")
        t_start = time.time()
        check(ask(start).get("type") == "ok", "start ok")
        again = dict(start, id="st2")
        check(ask(again).get("code") == "INVALID_STATE", "second start → INVALID_STATE")
        check(ask({"type": "remove-source", "id": "rm", "sourceId": "x11:0x1"}).get("code") == "NOT_FOUND", "remove unknown → NOT_FOUND")
        check(ask({"type": "resume", "id": "r0"}).get("code") == "INVALID_STATE", "resume while recording")
        time.sleep(1.6)
        check(ask({"type": "pause", "id": "p1"}).get("type") == "ok", "pause ok")
        t_pause = time.time()
        time.sleep(1.0)
        check(ask({"type": "resume", "id": "r1"}).get("type") == "ok", "resume ok")
        paused = time.time() - t_pause
        time.sleep(1.2)
        check(ask({"type": "set-layout", "id": "sl", "layout": "side-by-side"}).get("type") == "ok", "set-layout ok")
        time.sleep(0.6)
        recorded = time.time() - t_start - paused  # until stop is asked; finishing takes a moment
        stop = ask({"type": "stop", "id": "stop"}, 15)
        check(stop.get("type") == "ok", f"stop ok {stop}")
        stop_at = next(i for i, m in enumerate(child.lines) if m.get("id") == "stop")
        segs = [m for m in child.lines if m["type"] == "segment"]
        check(all(child.lines.index(s) < stop_at for s in segs), "every segment event precedes stop's ok")
        states = [m["state"] for m in child.lines if m["type"] == "state"]
        check(states == ["recording", "paused", "recording", "stopped"], f"states {states}")
        check([s["seq"] for s in segs] == list(range(len(segs))), "seqs")
        for a, b in zip(segs, segs[1:]):
            check(a["endUs"] == b["startUs"], f"contiguous {a['seq']}→{b['seq']}")
        media = (segs[-1]["endUs"] - segs[0]["startUs"]) / 1e6
        check(abs(media - recorded) < 0.35, f"pause cut: media {media:.3f} s vs recorded {recorded:.3f} s")
        frames = 0
        for s in segs:
            codec, w, h, n, duration = probe(s["path"])
            frames += n
            check((codec, w, h) == ("h264", 640, 360) and n == s["units"], f"segment {s['seq']}: {codec} {w}x{h} {n}")
            check(abs(duration - (s["endUs"] - s["startUs"]) / 1e6) <= 0.034, f"segment {s['seq']} duration {duration}")
            check(abs(media_start(s["path"]) - s["startUs"] / 1e6) < 0.001, f"segment {s['seq']} stamped from its startUs")
        check(abs(frames - media * 30) <= 1, f"{frames} frames for {media:.3f} s at 30 fps")
        health = [m for m in child.lines if m["type"] == "health"]
        static = [src for h in health for src in h["sources"] if src["id"].endswith(":static")]
        check(static and all(s["state"] == "static" for s in static[1:]), f"static source reported static: {static[:3]}")
        check(all(h["fps"] >= 20 for h in health[1:]), f"output keeps its rate: {[h['fps'] for h in health]}")
        check(ask({"type": "pause", "id": "p2"}).get("code") == "INVALID_STATE", "pause after stop")
        child.proc.stdin.close()
        check(child.proc.wait(timeout=10) == 0, "exit 0 on EOF")
    finally:
        if child.proc.poll() is None:
            child.proc.kill()
        shutil.rmtree(spool, ignore_errors=True)


def sigterm_finishes_the_segment():
    """SIGTERM to the pid the launcher gave (swift-capture itself): last segment written, exit 0."""
    spool = tempfile.mkdtemp(prefix="swift-capture-term-")
    child = Child({k: v for k, v in os.environ.items() if k != "DISPLAY"})
    try:
        child.send({"type": "start", "id": "st", "sessionId": "term",
                    "clock": {"originNs": str(time.clock_gettime_ns(time.CLOCK_MONOTONIC))},
                    "spoolDir": spool, "segmentSeconds": 10, "screenshotSeconds": 5,
                    "video": {"layout": "passthrough", "fps": 30, "maxWidth": 320, "maxHeight": 240,
                              "sources": [{"id": "test-pattern:320x240:4", "kind": "test-pattern"}]}})
        check((child.reply("st") or {}).get("type") == "ok", "start")
        time.sleep(1.5)
        child.proc.send_signal(signal.SIGTERM)
        check(child.proc.wait(timeout=10) == 0, "SIGTERM: exit 0 within 10 s")
        time.sleep(0.1)
        segs = [m for m in child.lines if m["type"] == "segment"]
        check(len(segs) == 1 and os.path.exists(segs[0]["path"]) and segs[0]["units"] >= 30,
              f"SIGTERM: the segment in progress was finished ({segs})")
        if segs:
            check(probe(segs[0]["path"])[3] == segs[0]["units"], "SIGTERM: segment decodes fully")
        check([m["state"] for m in child.lines if m["type"] == "state"][-1:] == ["stopped"], "SIGTERM: stopped")
    finally:
        if child.proc.poll() is None:
            child.proc.kill()
        shutil.rmtree(spool, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
        sigterm_finishes_the_segment()
    except Exception as e:
        check(False, f"crashed: {e!r}")
    print(f"cli: {passed} passed, {failed} failed")
    sys.exit(1 if failed or not passed else 0)
