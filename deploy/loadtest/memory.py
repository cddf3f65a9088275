"""Concurrency and memory (phase `concurrency`): a fresh Tollgate under 2,000 keep-alive connections on invoke, then
2,000 streams held open by the dripping upstream, sampling VmRSS / VmHWM (proc(5) status) and the established
connections on both sides every 100 ms."""
import contextlib
import subprocess
import threading
import time


def proc_status(pid: int) -> dict:
    """VmRSS / VmHWM of pid in KiB."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1])
    return out


def established(port: int, remote: bool = False) -> int:
    """Established TCP connections whose local (or, with remote, remote) port is `port`, from /proc/net/tcp."""
    n, hexport, column = 0, f":{port:04X}", 2 if remote else 1
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as f:
            next(f)
            for line in f:
                parts = line.split()
                if parts[column].endswith(hexport) and parts[3] == "01":
                    n += 1
    return n


def sample_while(p: subprocess.Popen, port: int, upstream_port: int, fn) -> dict:
    """Runs fn() while sampling p's RSS, its established client connections and its connections to the
    upstream every 100 ms."""
    peak = {"conns": 0, "rss": 0, "hwm": 0, "upstream": 0}
    stop = threading.Event()

    def sample():
        while not stop.wait(0.1):
            with contextlib.suppress(OSError, FileNotFoundError):
                st = proc_status(p.pid)
                peak["rss"] = max(peak["rss"], st.get("VmRSS", 0))
                peak["hwm"] = max(peak["hwm"], st.get("VmHWM", 0))
                peak["conns"] = max(peak["conns"], established(port))
                peak["upstream"] = max(peak["upstream"], established(upstream_port, remote=True))

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    try:
        result = fn()
    finally:
        stop.set()
        t.join()
    with contextlib.suppress(OSError, FileNotFoundError):
        peak["hwm"] = max(peak["hwm"], proc_status(p.pid)["VmHWM"])
    return result, peak


def run(bench) -> None:
    a = bench.a
    bench.out(f"concurrency and memory ({a.many} connections, 2 wrk threads, fresh Tollgate process per test)")
    # Keep-alive invoke: a fresh process, so VmHWM is this test's peak.
    bench.ensure_tollgate()
    bench.procs.stop(bench.tollgate)
    bench.tollgate = bench.start_tollgate("tollgate")
    bench.wait_healthy(bench.tg, 10)
    time.sleep(0.2)
    idle = proc_status(bench.tollgate.pid)
    r, peak = sample_while(bench.tollgate, bench.tg, bench.up,
                                lambda: bench.wrk(bench.tg, "invoke", a.many_duration, a.many, timeout="30s",
                                                 label=f"invoke {a.many} connections"))
    bench.tollgate_requests["tollgate"] += r["requests"]
    time.sleep(0.5)
    bench.ensure_tollgate()
    bench.crash_note([f"invoke {a.many} connections"])
    bench.many_invoke = (r, peak, idle)
    bench.out(f"  invoke, {a.many} keep-alive connections, {a.many_duration} s: {r['rps']:.0f} req/s, p50 {r['p50'] / 1000:.2f} ms, "
             f"p99 {r['p99'] / 1000:.2f} ms, errors {r['errors']} (connect {r['connect']}, read {r['read']}, "
             f"write {r['write']}, status {r['status']}, timeout {r['timeout']}); peak client connections {peak['conns']}, "
             f"upstream connections {peak['upstream']}; "
             f"RSS idle {idle['VmRSS'] / 1024:.1f} MB, peak (VmHWM) {peak['hwm'] / 1024:.1f} MB")
    # Open streams against the dripping upstream.
    drip = bench.start_tollgate("drip")
    bench.wait_healthy(bench.drip_tg, 10)
    time.sleep(0.2)
    idle_d = proc_status(drip.pid)
    r, peak = sample_while(drip, bench.drip_tg, bench.drip,
                                lambda: bench.wrk(bench.drip_tg, "invoke-with-response-stream", a.stream_hold, a.many,
                                                 timeout=f"{a.stream_hold + 30}s"))
    bench.tollgate_requests["drip"] += r["requests"]
    time.sleep(0.5)
    bench.check_alive(drip, "drip", f"{a.many} streams")
    # wrk counts only completed streams; the drip outlasts the run, so none should complete: the bytes received
    # show that every stream was flowing.
    per_stream = r["bytes"] / max(1, a.many) / a.stream_hold
    bench.many_stream = (r, peak, idle_d)
    bench.stream_flow = per_stream
    bench.out(f"  streams, {a.many} connections held open {a.stream_hold} s by an upstream dripping {a.drip_rate} B/s: "
             f"peak open client connections {peak['conns']}, upstream connections {peak['upstream']}, errors {r['errors']} (connect {r['connect']}, read {r['read']}, "
             f"write {r['write']}, status {r['status']}, timeout {r['timeout']}), streams completed {r['requests']}, "
             f"received {r['bytes'] / 1e6:.1f} MB = {per_stream:.0f} B/s per stream; "
             f"RSS idle {idle_d['VmRSS'] / 1024:.1f} MB, peak (VmHWM) {peak['hwm'] / 1024:.1f} MB")
    if peak["upstream"] < a.many * 0.9:
        bench.out(f"  NOTE: only {peak['upstream']} of the {a.many} streams had an upstream connection; the rest waited in "
                 f"libcurl for a connection (CURLOPT_PIPEWAIT: libcurl waits for the busy connection to say whether it "
                 f"multiplexes, which an HTTP/1.1 stream never does), so they were open but not flowing")
    bench.crash_note([f"{a.many} streams"])
    bench.procs.stop(drip)
    bench.out()
