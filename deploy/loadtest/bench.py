#!/usr/bin/env python3
"""The Tollgate load-test bench (Tollgate beside nginx). Started by run.sh after the installs and the release build.

On loopback, with ports chosen free at run time, it starts a static Bedrock-shaped upstream (nginx), nginx as a
plain reverse proxy to it (the reference) and Tollgate pointed at it (bearer client key, SigV4-signed upstream
calls, a one-model catalogue with pricing, ledger on, no access log), then measures, in this order:

  1. invoke and stream throughput/latency with wrk, the three paths in alternation, ROUNDS rounds;
  2. latency at half of Tollgate's peak invoke rate, every path paced to the same rate, with the proxies' CPU time
     and context switches per request (latency.py);
  3. 2,000 keep-alive connections on invoke, and 2,000 open streams against a dripping upstream: peak RSS, errors
     (memory.py);
  4. ledger lines against the requests wrk saw complete through Tollgate;
  5. instructions and allocations per invoke and per stream request under callgrind (N and 2N requests,
     difference / N), top functions of invoke (instructions.py);
  6. time from spawn to the first answered /healthz (median of 5);
  7. the floor (floor.py): the libcurl floor, nginx's instructions per request, CPU per request of both under load,
     and one Tollgate worker against one nginx worker;
  8. HTTPS invoke (tls.py): Tollgate's TLS listener beside nginx with TLS on the same certificate;
  9. OpenAI chat completions beside invoke on the same Tollgate (the translation's share of the request cost;
     chat.py).

With --compare BASELINE (another tollgate binary, e.g. the build before a change) the phase `compare` (compare.py)
runs too, or alone with --only compare: both builds serve the same config on their own ports and wrk alternates baseline,
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
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chat  # noqa: E402
import compare  # noqa: E402
import fixtures  # noqa: E402
import floor  # noqa: E402
import instructions  # noqa: E402
import latency  # noqa: E402
import memory  # noqa: E402
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
        self.client_key, self.annotate = CLIENT_KEY, instructions.annotate
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
        self.idle = memory.proc_status(self.tollgate.pid)
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
        self.out("Tollgate: bearer client key, SigV4-signed upstream calls (credentials file), one-model catalogue "
                 "with pricing, ledger on, access log off, upstream.retry.attempts_per_model 1")
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
                    {"concurrency": lambda: memory.run(self), "callgrind": lambda: instructions.run(self),
                     "startup": self.startup, "compare": lambda: compare.run(self), "floor": lambda: floor.run(self),
                     "tls": lambda: tls.run(self), "chat": lambda: chat.run(self),
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
            memory.run(self)
            self.ledger()
            instructions.run(self)
            self.startup()
            self.tls = tls.run(self)
            chat.run(self)
            if a.compare:
                compare.run(self)
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
