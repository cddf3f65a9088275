#!/usr/bin/env python3
"""The Tollgate load-test bench (Tollgate beside nginx). Started by run.sh after the installs and the release build.

On loopback, with ports chosen free at run time, it starts a static Bedrock-shaped upstream (nginx), nginx as a
plain reverse proxy to it (the reference) and Tollgate pointed at it (bearer client key, SigV4-signed upstream
calls, a one-model catalogue with pricing, ledger on, no access log), then measures, in this order:

  1. invoke and stream throughput/latency with wrk, the three paths in alternation, ROUNDS rounds;
  2. latency at half of Tollgate's peak invoke rate, every path paced to the same rate;
  3. 2,000 keep-alive connections on invoke, and 2,000 open streams against a dripping upstream: peak RSS, errors;
  4. ledger lines against the requests wrk saw complete through Tollgate;
  5. instructions and allocations per invoke and per stream request under callgrind (N and 2N requests,
     difference / N), top functions of invoke;
  6. time from spawn to the first answered /healthz (median of 5);
  7. the floor (floor.py): the libcurl floor, nginx's instructions per request, CPU per request of both under load,
     and one Tollgate worker against one nginx worker;
  8. HTTPS invoke (tls.py): Tollgate's TLS listener beside nginx with TLS on the same certificate;
  9. OpenAI chat completions beside invoke on the same Tollgate (the translation's share of the request cost).

With --compare BASELINE (another tollgate binary, e.g. the build before a change) the phase `compare` runs too, or
alone with --only compare: both builds serve the same config on their own ports and wrk alternates baseline,
this build and nginx-proxy for ROUNDS rounds on invoke and stream; it prints each build's medians, the ratio per
round, and each build's idle RSS, so a change is judged side by side on the same (noisy, shared) machine; with
--compare-rate R it also paces invoke at R req/s on all three and prints their latency.

Everything is printed as one report and written to deploy/loadtest/last-run.txt. Every phase has a fixed length.
"""
import argparse
import contextlib
import glob
import http.client
import json
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixtures  # noqa: E402
import floor  # noqa: E402
import latency  # noqa: E402
import tls  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL_PATH = "/model/anthropic.claude-3-haiku-20240307-v1%3A0/"
CLIENT_KEY = "bench-client-key-" + "5f0c8e2a9d4b7c1e3a6f0b2d8c4e7a19"
LUA = os.path.join(HERE, "bench.lua")


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def free_ports(n: int) -> list:
    """n distinct loopback ports the kernel says are free now (bound to port 0, then released)."""
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


def wait_port(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.01)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def healthz_once(port: int) -> bool:
    """One GET /healthz on a fresh connection; True on 200."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
            return s.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def wait_healthy(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if healthz_once(port):
            return
        time.sleep(0.005)
    raise RuntimeError(f"/healthz on port {port} did not answer 200 within {timeout} s")


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


class Processes:
    """The processes this bench started, stopped by their own pid (never by name)."""

    def __init__(self):
        self.procs = []

    def start(self, name: str, argv: list, log_path: str, **kw) -> subprocess.Popen:
        f = open(log_path, "ab")
        p = subprocess.Popen(argv, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, **kw)
        p.bench_name = name
        self.procs.append(p)
        return p

    def stop(self, p: subprocess.Popen, sig=signal.SIGTERM, timeout: float = 20) -> int:
        if p.poll() is None:
            p.send_signal(sig)
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                log(f"{p.bench_name} (pid {p.pid}) did not stop in {timeout} s; killing it")
                p.kill()
                p.wait()
        if p in self.procs:
            self.procs.remove(p)
        return p.returncode

    def stop_all(self) -> None:
        for p in list(reversed(self.procs)):
            # nginx: SIGQUIT is a graceful stop, SIGTERM a fast one; both end its workers too.
            self.stop(p, timeout=10)


class Bench:
    def __init__(self, args):
        self.a = args
        self.dir = tempfile.mkdtemp(prefix="tollgate-bench-")
        os.chmod(self.dir, 0o755)  # nginx workers run as an unprivileged user and read the fixtures
        os.makedirs(f"{self.dir}/nginx-tmp", exist_ok=True)
        os.chmod(f"{self.dir}/nginx-tmp", 0o777)
        self.procs = Processes()
        self.report = []
        self.tollgate_requests = {"tollgate": 0, "drip": 0}
        self.crashes = []          # (the run during or after which Tollgate died, its fatal error line)
        self.fatal_seen = {}       # log path -> fatal lines already attributed
        self.last_run = "start"
        (self.up, self.drip, self.proxy, self.tg, self.drip_tg) = free_ports(5)
        self.tollgate_bin = os.path.abspath(args.tollgate)
        self.env = dict(os.environ, BENCH_BODY=f"{self.dir}/request.json", BENCH_KEY=CLIENT_KEY,
                        BENCH_THREADS=str(args.threads))
        # For floor.py.
        self.model_path, self.free_ports, self.wait_port, self.wait_healthy = MODEL_PATH, free_ports, wait_port, wait_healthy
        self.log = log
        self.floor = None
        self.tls = None

    # ---- output -------------------------------------------------------------------------------------------------

    def out(self, line: str = "") -> None:
        print(line, flush=True)
        self.report.append(line)

    # ---- processes ----------------------------------------------------------------------------------------------

    def key_hash(self) -> str:
        r = subprocess.run([self.tollgate_bin, "hash-key"], input=CLIENT_KEY.encode(), capture_output=True, check=True)
        return r.stdout.decode().strip()

    def start_nginx(self, name: str) -> subprocess.Popen:
        conf = f"{self.dir}/{name}.conf"
        p = self.procs.start(name, ["nginx", "-p", self.dir, "-e", f"{self.dir}/{name}-early.log", "-c", conf],
                             f"{self.dir}/{name}.out")
        return p

    def start_tollgate(self, sub: str, wrapper: list = (), binary: str = None, env: dict = None) -> subprocess.Popen:
        return self.procs.start(f"tollgate-{sub}", list(wrapper) + [
            binary or self.tollgate_bin, "serve", "--config", f"{self.dir}/{sub}/tollgate.json"],
            f"{self.dir}/{sub}/tollgate.out", env=env)

    def fatal_lines(self, sub: str) -> list:
        path = f"{self.dir}/{sub}/tollgate.out"
        with contextlib.suppress(OSError), open(path, errors="replace") as f:
            lines = [l.strip() for l in f if l.startswith(("Fatal error", "*** Program crashed"))]
            new = lines[self.fatal_seen.get(path, 0):]
            self.fatal_seen[path] = len(lines)
            return new
        return []

    def check_alive(self, p: subprocess.Popen, sub: str, during: str) -> bool:
        """Records a crash of p (with its fatal error line); False if it died."""
        if p.poll() is None:
            return True
        fatal = [l for l in self.fatal_lines(sub) if l.startswith("Fatal")] or [f"exit status {p.returncode}"]
        self.crashes.append((during, fatal[0]))
        log(f"Tollgate died during or right after '{during}': {fatal[0]}")
        if p in self.procs.procs:
            self.procs.procs.remove(p)
        return False

    def ensure_tollgate(self) -> None:
        """Restarts the main Tollgate if it died since the last run (the crash is recorded against that run)."""
        if not self.check_alive(self.tollgate, "tollgate", self.last_run):
            self.tollgate = self.start_tollgate("tollgate")
            wait_healthy(self.tg, 10)

    def crash_note(self, runs: list) -> None:
        n = sum(1 for during, _ in self.crashes if during in runs)
        if n:
            msgs = sorted({msg for during, msg in self.crashes if during in runs})
            self.out(f"  TOLLGATE CRASHED {n} time(s) in these runs (restarted before the next run): {'; '.join(msgs)}")

    # ---- wrk ----------------------------------------------------------------------------------------------------

    def wrk(self, port: int, op: str, seconds: float, connections: int, rate: float = 0, timeout: str = "10s",
            label: str = "", scheme: str = "http", path: str = None, body: str = None) -> dict:
        if port == self.tg:
            self.ensure_tollgate()
            self.last_run = label or f"{op} {connections} connections"
        env = dict(self.env, BENCH_RATE=str(rate))
        if body:
            env["BENCH_BODY"] = body
        threads = min(self.a.threads, connections)
        env["BENCH_THREADS"] = str(threads)
        argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", f"--timeout={timeout}", "-s", LUA,
                f"{scheme}://127.0.0.1:{port}{path or MODEL_PATH + op}"]
        r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=seconds + 60)
        m = re.search(r"^BENCH (\{.*\})$", r.stdout, re.M)
        if not m:
            raise RuntimeError(f"wrk gave no result: {r.stdout}\n{r.stderr}")
        res = json.loads(m.group(1))
        res["errors"] = res["connect"] + res["read"] + res["write"] + res["status"] + res["timeout"]
        res["rps"] = res["requests"] / (res["duration_us"] / 1e6)
        return res

    # ---- phases -------------------------------------------------------------------------------------------------

    def setup(self) -> None:
        a = self.a
        fixtures.generate(self.dir, upstream_port=self.up, drip_port=self.drip, proxy_port=self.proxy,
                          tollgate_port=self.tg, drip_tollgate_port=self.drip_tg, workers=a.workers,
                          nofile=resource.getrlimit(resource.RLIMIT_NOFILE)[0],
                          drip_bytes_per_s=a.drip_rate, drip_seconds=a.stream_hold + 10, key_hash=self.key_hash())
        self.start_nginx("upstream")
        self.proxy_proc = self.start_nginx("proxy")
        wait_port(self.up, 10)
        wait_port(self.drip, 10)
        wait_port(self.proxy, 10)
        self.tollgate = self.start_tollgate("tollgate")
        wait_healthy(self.tg, 10)
        time.sleep(0.2)  # let the loops settle before reading the idle figure
        self.idle = proc_status(self.tollgate.pid)
        self.paths = {"direct": self.up, "nginx-proxy": self.proxy, "tollgate": self.tg}
        # A request through every path, checked, before measuring anything.
        for name, port in self.paths.items():
            for op in ("invoke", "invoke-with-response-stream"):
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                c.request("POST", MODEL_PATH + op, body=open(f"{self.dir}/request.json", "rb").read(),
                          headers={"Authorization": "Bearer " + CLIENT_KEY, "Content-Type": "application/json"})
                r = c.getresponse()
                body = r.read()
                want = open(f"{self.dir}/{'invoke.json' if op == 'invoke' else 'stream.bin'}", "rb").read()
                if r.status != 200 or body != want:
                    raise RuntimeError(f"{name} {op}: status {r.status}, body {'same' if body == want else 'differs'}")
                if name == "tollgate":
                    self.tollgate_requests["tollgate"] += 1
                c.close()

    def rounds(self, op: str) -> dict:
        a = self.a
        results = {name: [] for name in self.paths}
        for name, port in self.paths.items():  # warm-up, not recorded
            r = self.wrk(port, op, a.warmup, a.connections, label=f"{op} warm-up")
            if name == "tollgate":
                self.tollgate_requests["tollgate"] += r["requests"]
        for rnd in range(a.rounds):
            for name, port in self.paths.items():
                r = self.wrk(port, op, a.duration, a.connections, label=f"{op} round {rnd + 1}")
                if name == "tollgate":
                    self.tollgate_requests["tollgate"] += r["requests"]
                results[name].append(r)
                log(f"{op} round {rnd + 1} {name}: {r['rps']:.0f} req/s p50 {r['p50']} us p99 {r['p99']} us errors {r['errors']}")
        return results

    def table(self, title: str, op: str, results: dict) -> dict:
        med = lambda xs: statistics.median(xs)  # noqa: E731
        self.out(title)
        self.out(f"  {'path':<12} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'p99.9 ms':>9} {'errors':>7}   req/s per round")
        summary = {}
        time.sleep(0.5)
        self.ensure_tollgate()  # a crash at the end of the last round is recorded before the table is printed
        for name, rs in results.items():
            s = {k: med([r[k] for r in rs]) for k in ("rps", "p50", "p99", "p999")}
            s["errors"] = sum(r["errors"] for r in rs)
            summary[name] = s
            per_round = ", ".join(f"{r['rps']:.0f}" for r in rs)
            kinds = ", ".join(f"{k} {sum(r[k] for r in rs)}" for k in ("connect", "read", "write", "status", "timeout")
                              if sum(r[k] for r in rs))
            self.out(f"  {name:<12} {s['rps']:>9.0f} {s['p50'] / 1000:>8.3f} {s['p99'] / 1000:>8.3f} "
                     f"{s['p999'] / 1000:>9.3f} {s['errors']:>7}   {per_round}" + (f"   (errors: {kinds})" if kinds else ""))
        t, n, d = summary["tollgate"], summary["nginx-proxy"], summary["direct"]
        ratios = ", ".join(f"{tr['rps'] / nr['rps']:.2f}" for tr, nr in zip(results["tollgate"], results["nginx-proxy"]))
        self.crash_note([f"{op} warm-up"] + [f"{op} round {i + 1}" for i in range(self.a.rounds)])
        self.out(f"  tollgate / nginx-proxy throughput: {t['rps'] / n['rps']:.2f}x (per round: {ratios})")
        self.out(f"  tollgate - direct latency: p50 {(t['p50'] - d['p50']) / 1000:+.3f} ms, "
                 f"p99 {(t['p99'] - d['p99']) / 1000:+.3f} ms, p99.9 {(t['p999'] - d['p999']) / 1000:+.3f} ms")
        self.out(f"  nginx-proxy - direct latency: p50 {(n['p50'] - d['p50']) / 1000:+.3f} ms, "
                 f"p99 {(n['p99'] - d['p99']) / 1000:+.3f} ms")
        self.out()
        return summary

    def half_rate(self, peak: float) -> None:
        self.half = latency.run(self, peak)
        time.sleep(0.5)
        self.ensure_tollgate()
        self.crash_note(["half-rate invoke"])
        self.out(f"  tollgate - direct: p50 {self.half['p50']:+.3f} ms, p99 {self.half['p99']:+.3f} ms "
                 f"(targets: p50 <= 0.3 ms, p99 <= 1.5 ms; 0.1 / 0.5 ms in the first table)")
        self.out()

    def sample_while(self, p: subprocess.Popen, port: int, upstream_port: int, fn) -> dict:
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

    def concurrency(self) -> None:
        a = self.a
        self.out(f"concurrency and memory ({a.many} connections, 2 wrk threads, fresh Tollgate process per test)")
        # Keep-alive invoke: a fresh process, so VmHWM is this test's peak.
        self.ensure_tollgate()
        self.procs.stop(self.tollgate)
        self.tollgate = self.start_tollgate("tollgate")
        wait_healthy(self.tg, 10)
        time.sleep(0.2)
        idle = proc_status(self.tollgate.pid)
        r, peak = self.sample_while(self.tollgate, self.tg, self.up,
                                    lambda: self.wrk(self.tg, "invoke", a.many_duration, a.many, timeout="30s",
                                                     label=f"invoke {a.many} connections"))
        self.tollgate_requests["tollgate"] += r["requests"]
        time.sleep(0.5)
        self.ensure_tollgate()
        self.crash_note([f"invoke {a.many} connections"])
        self.many_invoke = (r, peak, idle)
        self.out(f"  invoke, {a.many} keep-alive connections, {a.many_duration} s: {r['rps']:.0f} req/s, p50 {r['p50'] / 1000:.2f} ms, "
                 f"p99 {r['p99'] / 1000:.2f} ms, errors {r['errors']} (connect {r['connect']}, read {r['read']}, "
                 f"write {r['write']}, status {r['status']}, timeout {r['timeout']}); peak client connections {peak['conns']}, "
                 f"upstream connections {peak['upstream']}; "
                 f"RSS idle {idle['VmRSS'] / 1024:.1f} MB, peak (VmHWM) {peak['hwm'] / 1024:.1f} MB")
        # Open streams against the dripping upstream.
        drip = self.start_tollgate("drip")
        wait_healthy(self.drip_tg, 10)
        time.sleep(0.2)
        idle_d = proc_status(drip.pid)
        r, peak = self.sample_while(drip, self.drip_tg, self.drip,
                                    lambda: self.wrk(self.drip_tg, "invoke-with-response-stream", a.stream_hold, a.many,
                                                     timeout=f"{a.stream_hold + 30}s"))
        self.tollgate_requests["drip"] += r["requests"]
        time.sleep(0.5)
        self.check_alive(drip, "drip", f"{a.many} streams")
        # wrk counts only completed streams; the drip outlasts the run, so none should complete: the bytes received
        # show that every stream was flowing.
        per_stream = r["bytes"] / max(1, a.many) / a.stream_hold
        self.many_stream = (r, peak, idle_d)
        self.stream_flow = per_stream
        self.out(f"  streams, {a.many} connections held open {a.stream_hold} s by an upstream dripping {a.drip_rate} B/s: "
                 f"peak open client connections {peak['conns']}, upstream connections {peak['upstream']}, errors {r['errors']} (connect {r['connect']}, read {r['read']}, "
                 f"write {r['write']}, status {r['status']}, timeout {r['timeout']}), streams completed {r['requests']}, "
                 f"received {r['bytes'] / 1e6:.1f} MB = {per_stream:.0f} B/s per stream; "
                 f"RSS idle {idle_d['VmRSS'] / 1024:.1f} MB, peak (VmHWM) {peak['hwm'] / 1024:.1f} MB")
        if peak["upstream"] < a.many * 0.9:
            self.out(f"  NOTE: only {peak['upstream']} of the {a.many} streams had an upstream connection; the rest waited in "
                     f"libcurl for a connection (CURLOPT_PIPEWAIT: libcurl waits for the busy connection to say whether it "
                     f"multiplexes, which an HTTP/1.1 stream never does), so they were open but not flowing")
        self.crash_note([f"{a.many} streams"])
        self.procs.stop(drip)
        self.out()

    def ledger(self) -> None:
        self.ensure_tollgate()
        self.procs.stop(self.tollgate)
        self.out("ledger check (lines in ledger/*.jsonl against requests wrk saw complete through Tollgate)")
        self.ledger_missing = 0
        for sub in ("tollgate", "drip"):
            lines = 0
            for path in glob.glob(f"{self.dir}/{sub}/ledger/**/*.jsonl", recursive=True):
                with open(path, "rb") as f:
                    lines += sum(1 for _ in f)
            want = self.tollgate_requests[sub]
            missing = max(0, want - lines)
            self.ledger_missing += missing
            note = ""
            if sub == "drip":
                note = " (streams cut by wrk's stop are recorded too, as partial usage)"
            self.out(f"  {sub:<9} requests completed {want}, ledger lines {lines}, missing {missing}, "
                     f"extra {max(0, lines - want)}{note}")
        if self.ledger_missing and not glob.glob(f"{self.dir}/*/ledger/**/*.jsonl", recursive=True):
            self.out("  the ledger directory stayed empty: this build does not write ledger records yet")
        self.out()

    def callgrind_run(self, n: int, op: str = "invoke") -> str:
        out = f"{self.dir}/callgrind.{n}.out" if op == "invoke" else f"{self.dir}/callgrind.{op}.{n}.out"
        p = self.start_tollgate("tollgate", ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"],
                                binary=self.nodebug, env=dict(os.environ, LD_PRELOAD=self.shim))
        wait_healthy(self.tg, 120)
        if p.poll() is not None:
            raise RuntimeError(f"the profiled Tollgate exited (status {p.returncode}) before its requests: see {self.dir}/tollgate/tollgate.out")
        body = open(f"{self.dir}/request.json", "rb").read()
        headers = {"Authorization": "Bearer " + CLIENT_KEY, "Content-Type": "application/json"}
        c = http.client.HTTPConnection("127.0.0.1", self.tg, timeout=30)
        for _ in range(n):
            c.request("POST", MODEL_PATH + op, body=body, headers=headers)
            r = c.getresponse()
            r.read()
            if r.status != 200:
                raise RuntimeError(f"callgrind run: status {r.status}")
        c.close()
        self.procs.stop(p, timeout=120)
        return out

    @staticmethod
    def annotate(path: str, inclusive: bool = False) -> tuple:
        """(total Ir, {(function, object file): self (or inclusive) Ir}) from callgrind_annotate."""
        r = subprocess.run(["callgrind_annotate", "--threshold=100", f"--inclusive={'yes' if inclusive else 'no'}", path],
                           capture_output=True, text=True, check=True)
        total, funcs = 0, {}
        for line in r.stdout.splitlines():
            m = re.match(r"^\s*([\d,]+)\s+(?:\(\s*[\d.]+%\)\s+)?(.*?)\s*$", line)
            if not m or not m.group(2):
                continue
            ir, rest = int(m.group(1).replace(",", "")), m.group(2)
            if rest.startswith("PROGRAM TOTALS"):
                total = ir
                continue
            obj = ""
            mo = re.search(r"\s*\[([^\]]*)\]$", rest)
            if mo:
                obj, rest = os.path.basename(mo.group(1)), rest[:mo.start()]
            fn = rest.split(":", 1)[1] if ":" in rest else rest  # callgrind names functions file:function
            funcs[(fn, obj)] = funcs.get((fn, obj), 0) + ir
        return total, funcs

    def callgrind(self) -> None:
        n = self.a.callgrind_n
        # The profiled Tollgate takes the main one's port: with --only callgrind the main one is still up (in a full
        # run the ledger check stopped it), and the profiled one would fail to bind while requests went to the other.
        self.procs.stop(self.tollgate)
        # Valgrind 3.19 cannot read the DWARF 5 the Swift toolchain writes ("Possibly corrupted debuginfo file. I can't
        # recover"): profile a copy without debug sections. Its symbol table, so the function names, is kept.
        self.nodebug = f"{self.dir}/tollgate-nodebug"
        subprocess.run(["objcopy", "--strip-debug", self.tollgate_bin, self.nodebug], check=True)
        # And it dies on libdispatch's sigsuspend with a read-only mask: see sigsuspend-shim.c.
        self.shim = f"{self.dir}/sigsuspend-shim.so"
        cc = shutil.which("cc") or shutil.which("clang") or os.path.join(os.path.dirname(shutil.which("swift") or "/"), "clang")
        subprocess.run([cc, "-shared", "-fPIC", "-O2", "-o", self.shim, os.path.join(HERE, "sigsuspend-shim.c")], check=True)
        self.out(f"instructions per invoke request (valgrind --tool=callgrind, release build, sequential keep-alive "
                 f"client, runs of N={n} and 2N={2 * n} requests, (Ir(2N) - Ir(N)) / N)")
        a_path = self.callgrind_run(n)
        self.tollgate_requests["tollgate"] += n
        b_path = self.callgrind_run(2 * n)
        self.tollgate_requests["tollgate"] += 2 * n
        a_total, a_funcs = self.annotate(a_path)
        b_total, b_funcs = self.annotate(b_path)
        per = (b_total - a_total) / n
        self.ir_per_request = per
        self.mallocs_per_request = (floor.calls_to(b_path) - floor.calls_to(a_path)) / n
        self.out(f"  Ir total: {a_total:,} (N) and {b_total:,} (2N) -> {per:,.0f} instructions per request; "
                 f"{self.mallocs_per_request:.1f} allocations per request (calls to malloc and friends)")
        # The stream path the same way: InvokeModelWithResponseStream, the 7,304-byte eventstream answer relayed and
        # its frames read for usage.
        sa_path = self.callgrind_run(n, "invoke-with-response-stream")
        sb_path = self.callgrind_run(2 * n, "invoke-with-response-stream")
        self.tollgate_requests["tollgate"] += 3 * n
        sa_total, _ = self.annotate(sa_path)
        sb_total, _ = self.annotate(sb_path)
        self.ir_per_stream = (sb_total - sa_total) / n
        stream_mallocs = (floor.calls_to(sb_path) - floor.calls_to(sa_path)) / n
        self.out(f"  stream (invoke-with-response-stream, {os.path.getsize(f'{self.dir}/stream.bin'):,} B eventstream "
                 f"answer): {self.ir_per_stream:,.0f} instructions per request; {stream_mallocs:.1f} allocations per request")
        by_object = {}
        for key in set(a_funcs) | set(b_funcs):
            by_object[key[1] or "?"] = by_object.get(key[1] or "?", 0) + (b_funcs.get(key, 0) - a_funcs.get(key, 0)) / n
        top_objects = sorted(by_object.items(), key=lambda kv: -kv[1])[:6]
        self.out("  by library (self cost): " + ", ".join(f"{obj} {v:,.0f} ({100 * v / per:.0f}%)" for obj, v in top_objects))
        self.profile_list("top 15 functions by own (self) instructions per request, difference of the two runs / N:",
                          a_funcs, b_funcs, n, per, lambda fn, obj: True)
        _, ai = self.annotate(a_path, inclusive=True)
        _, bi = self.annotate(b_path, inclusive=True)
        skip = ("thunk", "partial apply", "closure #", "_dispatch", "start_thread", "clone", "@objc")
        self.profile_list("top 15 Tollgate functions by inclusive instructions per request (callees included; "
                          "thunks, closures and dispatch frames left out):", ai, bi, n, per,
                          lambda fn, obj: obj.startswith("tollgate") and not fn.startswith("0x") and
                          not any(k in fn for k in skip))
        self.out()

    def profile_list(self, title: str, a_funcs: dict, b_funcs: dict, n: int, per: float, keep) -> None:
        diff = {f: (b_funcs.get(f, 0) - a_funcs.get(f, 0)) / n for f in set(a_funcs) | set(b_funcs)}
        names = [fn for fn, _ in diff]
        demangled = names
        swift = shutil.which("swift")
        if swift:
            r = subprocess.run([swift, "demangle", "--simplified"], input="\n".join(names) + "\n",
                               capture_output=True, text=True)
            if r.returncode == 0 and len(r.stdout.splitlines()) == len(names):
                demangled = r.stdout.splitlines()
        rows = [(v, name, obj) for ((_, obj), v), name in zip(diff.items(), demangled) if keep(name, obj)]
        rows.sort(key=lambda row: -row[0])
        self.out("  " + title)
        for v, name, obj in rows[:15]:
            if len(name) > 140:
                name = name[:137] + "..."
            self.out(f"  {v:>9,.0f} {100 * v / per:5.1f}%  {name}  [{obj}]")

    def startup(self) -> None:
        # Each spawned Tollgate takes the main one's port: the main one must be gone (with --only it is still up,
        # and it would answer /healthz in its place).
        self.procs.stop(self.tollgate)
        times = []
        for _ in range(5):
            t0 = time.monotonic()
            p = self.start_tollgate("tollgate")
            while True:
                if healthz_once(self.tg):
                    break
                if p.poll() is not None:
                    raise RuntimeError("tollgate exited during the startup measurement")
                if time.monotonic() - t0 > 10:
                    raise RuntimeError("tollgate did not answer /healthz within 10 s")
            times.append((time.monotonic() - t0) * 1000)
            self.procs.stop(p)
        self.startup_ms = statistics.median(times)
        # The phases after this one measure the main Tollgate again: bring it back (its stop above was not a crash).
        self.tollgate = self.start_tollgate("tollgate")
        wait_healthy(self.tg, 10)
        self.out(f"start to first answered /healthz (spawn, then connect + GET in a tight loop): median "
                 f"{self.startup_ms:.1f} ms of 5 ({', '.join(f'{t:.1f}' for t in times)}) (target <= 100 ms)")
        self.out()

    def compare(self) -> None:
        """This build against a baseline binary, alternated in one run (see the module docstring)."""
        a = self.a
        base_dir = f"{self.dir}/baseline"
        shutil.copytree(f"{self.dir}/tollgate", base_dir, ignore=shutil.ignore_patterns("ledger", "*.out"))
        (self.base_port,) = free_ports(1)
        with open(f"{base_dir}/tollgate.json") as f:
            config = json.load(f)
        config["listen"] = [f"127.0.0.1:{self.base_port}"]
        with open(f"{base_dir}/tollgate.json", "w") as f:
            json.dump(config, f)
        baseline = self.start_tollgate("baseline", binary=os.path.abspath(a.compare))
        wait_healthy(self.base_port, 10)
        time.sleep(0.2)
        # Both measured fresh: this build's figure is the one taken at setup, before any request.
        idle = {"baseline": proc_status(baseline.pid)["VmRSS"], "this build": self.idle["VmRSS"]}
        ports = {"baseline": self.base_port, "this build": self.tg, "nginx-proxy": self.proxy}
        self.out(f"this build against {a.compare}, alternated: baseline / this build / nginx-proxy, {a.rounds} rounds "
                 f"x {a.duration} s, {a.connections} connections")
        self.out(f"  idle RSS: baseline {idle['baseline'] / 1024:.1f} MB, this build {idle['this build'] / 1024:.1f} MB")
        for op in ("invoke", "invoke-with-response-stream"):
            runs = {name: [] for name in ports}
            for name, port in ports.items():
                self.wrk(port, op, a.warmup, a.connections, label=f"compare {op} warm-up")
            for rnd in range(a.rounds):
                for name, port in ports.items():
                    r = self.wrk(port, op, a.duration, a.connections, label=f"compare {op} round {rnd + 1}")
                    runs[name].append(r)
                    log(f"compare {op} round {rnd + 1} {name}: {r['rps']:.0f} req/s p50 {r['p50']} us errors {r['errors']}")
            self.out(f"  {op}: " + "; ".join(
                f"{name} {statistics.median(r['rps'] for r in rs):.0f} req/s (p50 {statistics.median(r['p50'] for r in rs) / 1000:.3f} ms, "
                f"errors {sum(r['errors'] for r in rs)})" for name, rs in runs.items()))
            per_round = ", ".join(f"{t['rps'] / b['rps']:.2f}" for t, b in zip(runs["this build"], runs["baseline"]))
            vs_nginx = ", ".join(f"{b['rps'] / n['rps']:.2f} -> {t['rps'] / n['rps']:.2f}"
                                 for t, b, n in zip(runs["this build"], runs["baseline"], runs["nginx-proxy"]))
            self.out(f"    this build / baseline per round: {per_round}; against nginx-proxy per round (baseline -> this build): {vs_nginx}")
        if a.compare_rate > 0:
            # Latency at one offered rate, the same for both builds (paced as the half-peak phase paces).
            runs = {name: [] for name in ports}
            for rnd in range(a.rounds):
                for name, port in ports.items():
                    runs[name].append(self.wrk(port, "invoke", a.duration, a.connections, rate=a.compare_rate,
                                               label=f"compare paced round {rnd + 1}"))
            self.out(f"  invoke paced at {a.compare_rate:.0f} req/s, medians of {a.rounds} rounds: " + "; ".join(
                f"{name} p50 {statistics.median(r['p50'] for r in rs) / 1000:.3f} ms, "
                f"p99 {statistics.median(r['p99'] for r in rs) / 1000:.3f} ms (rounds p50 "
                + ", ".join(f"{r['p50'] / 1000:.2f}" for r in rs) + ")" for name, rs in runs.items()))
        self.procs.stop(baseline)
        self.out()

    def chat(self) -> None:
        """OpenAI chat completions beside Bedrock invoke on the same Tollgate, the same conversation and reply:
        what the translation (Chat Completions -> Converse -> chat.completion) costs, alternated in one run."""
        a = self.a
        chat_path = "/openai/v1/chat/completions"
        body = f"{self.dir}/chat-request.json"
        c = http.client.HTTPConnection("127.0.0.1", self.tg, timeout=5)
        c.request("POST", chat_path, body=open(body, "rb").read(),
                  headers={"Authorization": "Bearer " + CLIENT_KEY, "Content-Type": "application/json"})
        r = c.getresponse()
        answer = json.loads(r.read())
        c.close()
        if r.status != 200 or answer["choices"][0]["message"]["content"] != fixtures.REPLY:
            raise RuntimeError(f"chat completions: status {r.status}: {answer}")
        runs = {"invoke": [], "chat": []}
        self.wrk(self.tg, "invoke", a.warmup, a.connections, label="chat warm-up")
        self.wrk(self.tg, "", a.warmup, a.connections, label="chat warm-up", path=chat_path, body=body)
        for rnd in range(a.rounds):
            runs["invoke"].append(self.wrk(self.tg, "invoke", a.duration, a.connections, label=f"chat round {rnd + 1}"))
            runs["chat"].append(self.wrk(self.tg, "", a.duration, a.connections, label=f"chat round {rnd + 1}",
                                         path=chat_path, body=body))
            log(f"chat round {rnd + 1}: invoke {runs['invoke'][-1]['rps']:.0f}, chat {runs['chat'][-1]['rps']:.0f} req/s")
        med = lambda rs, k: statistics.median(r[k] for r in rs)  # noqa: E731
        per_round = [c["rps"] / i["rps"] for c, i in zip(runs["chat"], runs["invoke"])]
        self.out(f"OpenAI chat completions beside invoke on Tollgate ({a.rounds} rounds x {a.duration} s, {a.connections} connections)")
        for name, rs in runs.items():
            self.out(f"  {name:<7} {med(rs, 'rps'):>9.0f} req/s  p50 {med(rs, 'p50') / 1000:.3f} ms  errors {sum(r['errors'] for r in rs)}")
        self.out(f"  chat / invoke throughput: {statistics.median(per_round):.2f}x (per round: {', '.join(f'{x:.2f}' for x in per_round)})")
        self.out()

    def header(self) -> None:
        a = self.a
        cpu = "unknown"
        with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        ver = subprocess.run([self.tollgate_bin, "--version"], capture_output=True, text=True).stdout.strip()
        nginx_v = subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip()
        wrk_v = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()[:1]
        self.out(f"Tollgate load-test bench, {time.strftime('%Y-%m-%d %H:%M:%S %Z')}")
        self.out(f"machine: {os.cpu_count()} CPUs (nproc {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()}), "
                 f"{cpu}; load average at start {os.getloadavg()[0]:.2f}; {' '.join(os.uname()[2:3])}")
        self.out(f"tools: {ver}; {nginx_v}; {wrk_v[0] if wrk_v else 'wrk'}")
        self.out(f"setup: workers {a.workers} (Tollgate loops = nginx worker_processes, upstream and proxy alike); "
                 f"wrk {a.threads} threads, {a.connections} connections, POST {os.path.getsize(self.dir + '/request.json')} B "
                 f"Anthropic messages body, keep-alive; {a.rounds} rounds x {a.duration} s per path, alternating "
                 f"direct / nginx-proxy / tollgate; all on 127.0.0.1, load generator and upstream on the same machine")
        self.out(f"Tollgate: bearer client key, SigV4-signed upstream calls (credentials file), one-model catalogue "
                 f"with pricing, ledger on, access log off, upstream.retry.attempts_per_model 1")
        self.out(f"idle RSS after start: {self.idle['VmRSS'] / 1024:.1f} MB (target <= 16 MB)")
        self.out()

    def targets(self, invoke: dict) -> None:
        t, n = invoke["tollgate"], invoke["nginx-proxy"]
        r, peak, _ = self.many_stream
        ri, peaki, _ = self.many_invoke
        rows = [
            ("invoke throughput vs nginx proxy", ">= 1.00x", f"{t['rps'] / n['rps']:.2f}x", t["rps"] >= n["rps"]),
            ("added p50 at half peak", "<= 0.1 ms", f"{self.half['p50']:+.3f} ms", self.half["p50"] <= 0.1),
            ("added p99 at half peak", "<= 0.5 ms", f"{self.half['p99']:+.3f} ms", self.half["p99"] <= 0.5),
            (f"{self.a.many} streams: errors", "0", str(r["errors"]), r["errors"] == 0),
            (f"{self.a.many} streams: all flowing", f">= {self.a.drip_rate // 2} B/s", f"{self.stream_flow:.0f} B/s",
             self.stream_flow >= self.a.drip_rate / 2),
            (f"{self.a.many} streams: peak RSS", "<= 64 MB", f"{peak['hwm'] / 1024:.1f} MB", peak["hwm"] <= 64 * 1024),
            (f"{self.a.many} keep-alive invoke: errors", "0", str(ri["errors"]), ri["errors"] == 0),
            ("idle RSS", "<= 16 MB", f"{self.idle['VmRSS'] / 1024:.1f} MB", self.idle["VmRSS"] <= 16 * 1024),
            ("errors in the rounds", "0", str(sum(v["errors"] for v in invoke.values()) + self.stream_errors),
             sum(v["errors"] for v in invoke.values()) + self.stream_errors == 0),
            ("ledger records missing", "0", str(self.ledger_missing), self.ledger_missing == 0),
            ("Tollgate crashes", "0", str(len(self.crashes)), not self.crashes),
            ("start to first accepted request", "<= 100 ms", f"{self.startup_ms:.1f} ms", self.startup_ms <= 100),
            ("instructions per invoke request", "(watch)", f"{self.ir_per_request:,.0f}", None),
        ]
        self.out("issue 7 targets")
        for name, target, got, ok in rows:
            verdict = "-" if ok is None else ("met" if ok else "MISSED")
            self.out(f"  {name:<36} {target:>10} {got:>14}  {verdict}")
        f = self.floor
        rows = [
            ("instructions per invoke", "<= 200,000", f"{self.ir_per_request:,.0f}", self.ir_per_request <= 200_000),
            ("allocations per invoke", "<= 20", f"{self.mallocs_per_request:.1f}", self.mallocs_per_request <= 20),
            ("instructions per stream request", "(measured)", f"{self.ir_per_stream:,.0f}", None),
            ("invoke vs nginx-proxy, 1 worker each", ">= 0.35x", f"{f['one_worker']:.2f}x", f["one_worker"] >= 0.35),
            ("CPU / (nginx + libcurl floor)", "<= 1.5x", f"{f['cpu_ratio']:.2f}x", f["cpu_ratio"] <= 1.5),
            ("added p50 at half peak", "<= 0.3 ms", f"{self.half['p50']:+.3f} ms", self.half["p50"] <= 0.3),
            ("added p99 at half peak", "<= 1.5 ms", f"{self.half['p99']:+.3f} ms", self.half["p99"] <= 1.5),
        ]
        self.out("issue 13 targets (the floor the design allows)")
        for name, target, got, ok in rows:
            self.out(f"  {name:<36} {target:>10} {got:>14}  {'-' if ok is None else 'met' if ok else 'MISSED'}")

    def run(self) -> None:
        a = self.a
        try:
            self.setup()
            self.header()
            if a.only:
                # A quick loop over some phases while working on one figure; no target table, no last-run.txt.
                for phase in a.only.split(","):
                    {"concurrency": self.concurrency, "callgrind": self.callgrind, "startup": self.startup,
                     "compare": self.compare, "floor": lambda: floor.run(self), "tls": lambda: tls.run(self),
                     "chat": self.chat,
                     "latency": lambda: self.half_rate(self.wrk(self.tg, "invoke", a.duration, a.connections,
                                                                label="peak")["rps"])}[phase]()
                return
            invoke = self.table(f"invoke (POST {MODEL_PATH}invoke; medians of {a.rounds} rounds; errors summed)",
                                "invoke", self.rounds("invoke"))
            stream = self.table(f"stream (POST {MODEL_PATH}invoke-with-response-stream, "
                                f"{os.path.getsize(self.dir + '/stream.bin')} B eventstream answer; medians of {a.rounds} rounds)",
                                "invoke-with-response-stream", self.rounds("invoke-with-response-stream"))
            self.stream_errors = sum(v["errors"] for v in stream.values())
            self.half_rate(invoke["tollgate"]["rps"])
            self.floor = floor.run(self)
            self.concurrency()
            self.ledger()
            self.callgrind()
            self.startup()
            self.tls = tls.run(self)
            self.chat()
            if a.compare:
                self.compare()
            self.targets(invoke)
        finally:
            self.procs.stop_all()
            if not a.only:
                with open(os.path.join(HERE, "last-run.txt"), "w") as f:
                    f.write("\n".join(self.report) + "\n")
            if a.keep:
                log(f"kept {self.dir}")
            else:
                shutil.rmtree(self.dir, ignore_errors=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tollgate", required=True, help="the release tollgate binary")
    p.add_argument("--workers", type=int, default=os.cpu_count())
    p.add_argument("--threads", type=int, default=2, help="wrk threads")
    p.add_argument("--connections", type=int, default=50)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--many", type=int, default=2000, help="connections for the concurrency tests")
    p.add_argument("--many-duration", type=int, default=10)
    p.add_argument("--stream-hold", type=int, default=15, help="seconds the 2,000 streams are held open")
    p.add_argument("--drip-rate", type=int, default=1024, help="bytes/s the dripping upstream sends per stream")
    p.add_argument("--callgrind-n", type=int, default=1000)
    p.add_argument("--compare-rate", type=float, default=0,
                   help="with --compare: also pace invoke at this rate (req/s) on both builds and nginx-proxy, for latency")
    p.add_argument("--only", help="comma-separated phases to run alone (concurrency, callgrind, startup, compare, floor, tls, chat, latency), "
                                   "for a quick loop; prints, writes no last-run.txt")
    p.add_argument("--keep", action="store_true", help="keep the temp dir (configs, logs, callgrind files)")
    p.add_argument("--compare", help="a baseline tollgate binary to run side by side with this one (phase compare)")
    a = p.parse_args()
    Bench(a).run()


if __name__ == "__main__":
    main()
