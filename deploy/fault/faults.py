#!/usr/bin/env python3
"""The Tollgate fault suite. Started by run.sh (or directly: faults.py --tollgate PATH [--only kill9,sighup]).

Every scenario runs in a temp directory of its own: a `tollgate stand-in` (the built-in Bedrock stand-in, which
verifies SigV4) and a `tollgate serve` pointed at it, both on 127.0.0.1 with ports chosen free at run time; the
gateway has 2 workers, a one-model catalogue with pricing, one client key and one admin key (for /metrics), access
log off, and its upstream credentials in the environment. Load comes from LOAD_THREADS client threads, each on its
own keep-alive http.client connection, sending InvokeModel calls with a bearer key and recording, for every answer,
its status, x-amzn-RequestId, x-amzn-ErrorType and the monotonic time it arrived.

  kill9     Load for --duration seconds, then SIGKILL the gateway mid-load. The ledger must hold valid JSON lines
            (at most one torn final line per file), no request id twice, and a record for every request answered
            200 more than KILL_SLACK s before the kill (group commit fsyncs every 100 ms). If the kill tore no
            line, half a record is appended to the file, as a crash mid-write would leave. Then the gateway is
            restarted on the same ledger directory and port, answers a few calls and is stopped with SIGTERM
            (exit 0): the new records must be there, the file must only have grown (the torn line stays a line
            of its own, nothing glued onto it), and still no id twice.

  sighup    The same load while another thread sends SIGHUP ~50 times a second, rewriting the catalogue file
            between signals (atomically, equivalent content in alternating layouts). The gateway must stay up,
            answer every call 200 with no connection error, report no catalogue reload error, exit 0 on SIGTERM
            and then hold exactly one ledger record per answered call.

  diskfull  The ledger directory on a small tmpfs (root only; SKIP when it cannot be mounted), filled up to
            DISK_LEAVE bytes, with `ledger.on_failure: "refuse"`, `max_backlog_bytes` and `max_backlog_ms` set,
            under paced load. Written to the specification of the refusing ledger: while the disk is full /readyz
            turns 503 and runtime calls are answered 503 ServiceUnavailableException; once the filler is deleted,
            /readyz and calls are 200 again; after a SIGTERM drain every call answered 200 has exactly one record
            (torn fragments are counted and allowed; any other invalid line is not). A binary that rejects those
            ledger fields fails the config check and the scenario goes on without them, so the rest of it still
            shows what that binary does on a full disk. The tmpfs is unmounted at the end, whatever happened.

Every wait is for a condition with a deadline (no sleep is used to synchronise); every loop is bounded. Output: one
line per check (PASS / FAIL / SKIP with the numbers seen), then `N passed, N failed`; exit status 1 on any failure.
Progress goes to stderr. A scenario that fails keeps its temp directory (configs, gateway output, ledger copy).
"""
import argparse
import collections
import contextlib
import glob
import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

MODEL_ID = "anthropic.claude-3-haiku-20240307-v1:0"
MODEL_PATH = "/model/" + MODEL_ID.replace(":", "%3A") + "/invoke"
BODY = json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 64,
                   "messages": [{"role": "user", "content": "Hello"}]}).encode()
CLIENT_KEY = "fault-client-key-" + "3b9e0c4d7a1f6e2b8c5d0a9f4e7b1c3d"
ADMIN_KEY = "fault-admin-key-" + "8d2f6a0c4e9b1d7f3a5c8e0b2d4f6a19"
# The stand-in is started with this key pair and the gateway signs with it (handed over in the environment).
UPSTREAM_KEY_ID = "AKIDFAULTSUITE"
UPSTREAM_SECRET = "fault-suite-stand-in-secret"
HEADERS = {"Authorization": "Bearer " + CLIENT_KEY, "Content-Type": "application/json"}

LOAD_THREADS = 8
KILL_SLACK = 0.5          # s: answers older than this at the SIGKILL must be in the ledger
SIGHUP_INTERVAL = 0.02    # s between two SIGHUPs (~50/s)
DISK_SIZE = "256k"        # the tmpfs holding the diskfull ledger
DISK_LEAVE = 16 * 1024    # bytes left free by the filler: a few dozen records fit, then writes fail
DISK_RATE = 3             # calls per second per thread in diskfull (the whole tmpfs holds ~450 records)
START_TIMEOUT = 20        # s for a process to answer
STOP_TIMEOUT = 20         # s for a SIGTERM drain (the config's shutdown_grace_ms is 5000)
CONDITION_TIMEOUT = 10    # s for a fault's effect (refusing, recovering) to show


def log(msg: str) -> None:
    print(f"[fault {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def free_port() -> int:
    """A loopback port the kernel says is free now (bound to port 0, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, timeout: float, interval: float = 0.02):
    """Polls condition() until it returns something true (returned) or timeout s pass (None)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)


def http_get(port: int, path: str, key: str = None, timeout: float = 2):
    """One GET on a fresh connection: (status, body bytes), or (None, error text)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", path, headers={"Authorization": "Bearer " + key} if key else {})
        r = c.getresponse()
        return r.status, r.read()
    except (OSError, http.client.HTTPException) as e:
        return None, f"{type(e).__name__}: {e}"
    finally:
        c.close()


def metric(port: int, name: str):
    """The value of an unlabelled counter from /metrics (admin key), or None."""
    status, body = http_get(port, "/metrics", ADMIN_KEY)
    if status != 200:
        return None
    for line in body.decode(errors="replace").splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == name:
            return float(parts[1])
    return None


def key_hash(key: str) -> str:
    """What `tollgate hash-key` prints for key."""
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


# ---- results ------------------------------------------------------------------------------------------------------

class Report:
    """Counts and prints the check lines."""

    def __init__(self):
        self.passed = self.failed = self.skipped = 0

    def check(self, name: str, ok: bool, detail: str) -> bool:
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        print(f"{'PASS' if ok else 'FAIL'} {name}: {detail}", flush=True)
        return ok

    def skip(self, name: str, reason: str) -> None:
        self.skipped += 1
        print(f"SKIP {name}: {reason}", flush=True)


# ---- load ---------------------------------------------------------------------------------------------------------

Answer = collections.namedtuple("Answer", "sent done status request_id error_type error")


class Load:
    """LOAD_THREADS client threads, each on its own keep-alive connection, sending InvokeModel calls until stop()
    (or max_seconds), as fast as answers come or paced to `rate` calls per second per thread. Every attempt is
    recorded as an Answer: status and headers, or the connection error (status None)."""

    def __init__(self, port: int, rate: float = 0, max_seconds: float = 120):
        self.port, self.rate, self.max_seconds = port, rate, max_seconds
        self.answers = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(i,), daemon=True) for i in range(LOAD_THREADS)]

    def start(self) -> "Load":
        for t in self.threads:
            t.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        for t in self.threads:
            t.join(15)  # an answer takes at most the connection timeout (10 s)

    def snapshot(self) -> list:
        with self.lock:
            return list(self.answers)

    def run(self, index: int) -> None:
        deadline = time.monotonic() + self.max_seconds
        interval = 1 / self.rate if self.rate else 0
        next_at = time.monotonic() + interval * index / LOAD_THREADS  # paced threads are spread over the interval
        conn = None
        while not self.stopping.is_set() and time.monotonic() < deadline:
            if interval:
                if self.stopping.wait(max(0.0, next_at - time.monotonic())):
                    break
                next_at += interval
            sent = time.monotonic()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                conn.request("POST", MODEL_PATH, body=BODY, headers=HEADERS)
                r = conn.getresponse()
                r.read()
                answer = Answer(sent, time.monotonic(), r.status, r.getheader("x-amzn-RequestId"),
                                error_type(r), None)
                if r.will_close:
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException) as e:
                answer = Answer(sent, time.monotonic(), None, None, None, f"{type(e).__name__}: {e}".strip())
                if conn is not None:
                    conn.close()
                conn = None
                self.stopping.wait(0.02)  # a refused port fails at once: do not spin on it
            with self.lock:
                self.answers.append(answer)
        if conn is not None:
            conn.close()


def error_type(r: http.client.HTTPResponse):
    """The error name in x-amzn-ErrorType, which Bedrock (and so Tollgate) sends as `Name:namespace-uri`."""
    value = r.getheader("x-amzn-ErrorType")
    return value.split(":", 1)[0] if value else None


def summarise(answers: list) -> str:
    """'N answered 200, N other (status x n, ...), N connection errors (first: ...)'."""
    ok = sum(1 for a in answers if a.status == 200)
    other = collections.Counter(f"{a.status} {a.error_type or ''}".strip() for a in answers
                                if a.status not in (200, None))
    errors = [a.error for a in answers if a.status is None]
    text = f"{ok} answered 200, {sum(other.values())} other"
    if other:
        text += " (" + ", ".join(f"{k} x{n}" for k, n in other.most_common()) + ")"
    text += f", {len(errors)} connection errors"
    if errors:
        text += f" (first: {errors[0]})"
    return text


# ---- the ledger ---------------------------------------------------------------------------------------------------

class LedgerScan:
    """What the ledger files in a directory hold: records, invalid lines, request ids."""

    def __init__(self, directory: str):
        self.raw = {}        # file name -> bytes
        self.records = []    # parsed records, in file order
        self.valid = set()   # the bytes of every valid record line (to recognise torn prefixes of them)
        self.invalid = []    # (file name, line index, bytes, terminated by a newline)
        self.blank = 0       # empty lines
        for path in sorted(glob.glob(os.path.join(directory, "usage-*.jsonl"))):
            name = os.path.basename(path)
            with open(path, "rb") as f:
                data = f.read()
            self.raw[name] = data
            lines = data.split(b"\n")
            if lines[-1] == b"":
                lines.pop()  # the final newline
            for i, line in enumerate(lines):
                terminated = i < len(lines) - 1 or data.endswith(b"\n")
                if not line:
                    self.blank += 1
                    continue
                try:
                    record = json.loads(line)
                except ValueError:
                    record = None
                if isinstance(record, dict) and isinstance(record.get("request_id"), str):
                    self.records.append(record)
                    self.valid.add(line)
                else:
                    self.invalid.append((name, i, line, terminated))
        self.ids = collections.Counter(r["request_id"] for r in self.records)

    def lines(self) -> int:
        return sum(len(d.split(b"\n")) - (1 if d.endswith(b"\n") else 0) for d in self.raw.values() if d)

    def duplicates(self) -> dict:
        return {rid: n for rid, n in self.ids.items() if n > 1}

    def torn(self, fragment: bytes) -> bool:
        """True when fragment is the start of a record line written in full (a write cut short, then retried)."""
        return any(line.startswith(fragment) for line in self.valid)


def sample(items, n: int = 3) -> str:
    items = list(items)
    return ", ".join(str(x) for x in items[:n]) + (", ..." if len(items) > n else "")


# ---- processes ----------------------------------------------------------------------------------------------------

class StartError(RuntimeError):
    def __init__(self, message: str, output: str):
        super().__init__(message)
        self.output = output


class Rig:
    """One scenario's temp directory, stand-in and gateway. Processes are stopped by their own pid."""

    def __init__(self, args, name: str):
        self.a = args
        self.name = name
        self.dir = tempfile.mkdtemp(prefix=f"tollgate-fault-{name}-")
        self.port = free_port()
        self.standin_port = free_port()
        self.ledger = os.path.join(self.dir, "ledger")
        self.procs = []
        self.gateway = None
        self.gateway_runs = 0
        self.env = dict(os.environ, FAULT_UPSTREAM_KEY_ID=UPSTREAM_KEY_ID, FAULT_UPSTREAM_SECRET=UPSTREAM_SECRET)
        self.catalogue_layout = 0
        self.write_catalogue()
        keys = {"keys": [{"id": "fault-client", "org": "fault", "role": "client", "hash": key_hash(CLIENT_KEY)},
                         {"id": "fault-admin", "role": "admin", "hash": key_hash(ADMIN_KEY)}]}
        with open(os.path.join(self.dir, "keys.json"), "w") as f:
            json.dump(keys, f, indent=1)
        self.write_config()

    def write_config(self, ledger: dict = None) -> None:
        config = {
            "listen": f"127.0.0.1:{self.port}",
            "workers": 2,
            "limits": {"shutdown_grace_ms": 5000},
            "log": {"level": "warning", "access": False},
            "catalogue": "catalogue.json",
            "keys": "keys.json",
            "upstream": {"region": "us-east-1", "endpoint": f"http://127.0.0.1:{self.standin_port}",
                         "connect_timeout_ms": 2000,
                         "credentials": {"standin": {"source": "env_vars",
                                                     "access_key_id_env": "FAULT_UPSTREAM_KEY_ID",
                                                     "secret_access_key_env": "FAULT_UPSTREAM_SECRET"}}},
            "ledger": ledger or {"directory": self.ledger},
        }
        with open(os.path.join(self.dir, "tollgate.json"), "w") as f:
            json.dump(config, f, indent=1)

    def write_catalogue(self) -> None:
        """(Re)writes the one-model catalogue atomically: same content, layout alternating between two forms."""
        doc = {"models": [{
            "id": MODEL_ID, "type": "completion", "display": {"label": "Claude 3 Haiku", "brand": "Anthropic"},
            "capabilities": {"streaming": True}, "region": "us-east-1", "enabled": True,
            "provider_config": {"provider": "bedrock", "model_id": MODEL_ID, "region": "us-east-1",
                                "credentials": "standin"},
            "pricing": {"currency": "USD", "input": {"cost": 0.25, "per": 1000000, "unit": "tokens"},
                        "output": {"cost": 1.25, "per": 1000000, "unit": "tokens"}},
        }]}
        self.catalogue_layout += 1
        path = os.path.join(self.dir, "catalogue.json")
        with open(path + ".tmp", "w") as f:
            json.dump(doc, f, indent=1 if self.catalogue_layout % 2 else None)
            f.flush()
            os.fsync(f.fileno())
        os.replace(path + ".tmp", path)

    def spawn(self, name: str, argv: list) -> subprocess.Popen:
        out = open(os.path.join(self.dir, f"{name}.out"), "ab")
        p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=self.env)
        out.close()
        p.fault_name = name
        self.procs.append(p)
        return p

    def output(self, name: str, tail: int = 6) -> str:
        with contextlib.suppress(OSError), open(os.path.join(self.dir, f"{name}.out"), errors="replace") as f:
            return " | ".join(line.strip() for line in f.readlines()[-tail:])
        return ""

    def start_standin(self) -> None:
        p = self.spawn("stand-in", [self.a.tollgate, "stand-in", "--port", str(self.standin_port),
                                    "--access-key-id", UPSTREAM_KEY_ID, "--secret-access-key", UPSTREAM_SECRET])

        def listening():
            if p.poll() is not None:
                raise StartError(f"the stand-in exited with status {p.returncode}", self.output("stand-in"))
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.standin_port), 0.5):
                return True
        if not wait_for(listening, START_TIMEOUT):
            raise StartError(f"the stand-in did not listen within {START_TIMEOUT} s", self.output("stand-in"))

    def start_gateway(self) -> float:
        """Starts `tollgate serve` and waits for /readyz 200; returns the ms that took."""
        self.gateway_runs += 1
        name = f"gateway-{self.gateway_runs}"
        t0 = time.monotonic()
        p = self.spawn(name, [self.a.tollgate, "serve", "--config", os.path.join(self.dir, "tollgate.json")])

        def ready():
            if p.poll() is not None:
                raise StartError(f"the gateway exited with status {p.returncode}", self.output(name))
            return http_get(self.port, "/readyz", timeout=1)[0] == 200
        if not wait_for(ready, START_TIMEOUT):
            raise StartError(f"the gateway did not answer /readyz 200 within {START_TIMEOUT} s", self.output(name))
        self.gateway = p
        return (time.monotonic() - t0) * 1000

    def stop(self, p: subprocess.Popen, sig=signal.SIGTERM, timeout: float = STOP_TIMEOUT):
        """Sends sig and waits; (exit status, seconds taken), status None if it had to be SIGKILLed."""
        t0 = time.monotonic()
        status = p.poll()
        if status is None:
            p.send_signal(sig)
            try:
                status = p.wait(timeout)
            except subprocess.TimeoutExpired:
                log(f"{p.fault_name} (pid {p.pid}) did not exit within {timeout} s of signal {sig}; killing it")
                p.kill()
                p.wait()
                status = None
        if p in self.procs:
            self.procs.remove(p)
        return status, time.monotonic() - t0

    def close(self, failed: bool) -> None:
        for p in reversed(list(self.procs)):
            self.stop(p, timeout=10)
        if failed or self.a.keep:
            log(f"{self.name}: kept {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


def restart_problems(before: dict, torn: list, after: LedgerScan) -> list:
    """What is wrong with the ledger files after a restart, given their bytes before it (file name -> bytes) and the
    torn lines they ended with ((file name, line index, bytes)): each old file must be a prefix of the new one,
    continued after a newline (nothing glued onto a torn line), and the only invalid lines must be the torn ones,
    at the same place."""
    problems = []
    for name, old_bytes in before.items():
        new_bytes = after.raw.get(name, b"")
        if not new_bytes.startswith(old_bytes):
            problems.append(f"{name}: earlier content changed")
        elif old_bytes and not old_bytes.endswith(b"\n") and len(new_bytes) > len(old_bytes) \
                and new_bytes[len(old_bytes):len(old_bytes) + 1] != b"\n":
            problems.append(f"{name}: a record was glued onto the torn line")
    expected = set(torn)
    for f, i, line, _ in after.invalid:
        if (f, i, line) not in expected:
            problems.append(f"{f} line {i + 1} invalid: {line[:80]!r}")
    return problems


# ---- scenarios ----------------------------------------------------------------------------------------------------

def scenario_kill9(a, rep: Report, rig: Rig) -> None:
    rig.start_standin()
    rig.start_gateway()
    load = Load(rig.port).start()
    # The kill comes after --duration s of load, or earlier if the load already dies (it must not).
    wait_for(lambda: rig.gateway.poll() is not None, a.duration, 0.05)
    t_kill = time.monotonic()
    alive = rig.gateway.poll() is None
    rig.stop(rig.gateway, signal.SIGKILL, timeout=10)
    load.stop()
    answers = load.snapshot()
    before = [x for x in answers if x.done < t_kill]
    ok_before = [x for x in before if x.status == 200]
    bad_before = [x for x in before if x.status != 200]
    rep.check("kill9 load before the kill", alive and ok_before and not bad_before,
              f"{a.duration:.1f} s, {LOAD_THREADS} threads: {summarise(before)}"
              + ("" if alive else "; THE GATEWAY DIED BEFORE THE KILL: " + rig.output("gateway-1")))

    # The ledger as the SIGKILL left it.
    scan = LedgerScan(rig.ledger)
    torn_final = [(f, i, line) for f, i, line, terminated in scan.invalid if not terminated]
    other_invalid = [(f, i, line) for f, i, line, terminated in scan.invalid if terminated]
    rep.check("kill9 ledger lines parse", not other_invalid and scan.blank == 0,
              f"{scan.lines()} lines in {len(scan.raw)} file(s): {len(scan.records)} records, "
              f"{len(torn_final)} torn final line(s) (allowed, one per file), {len(other_invalid)} other invalid, "
              f"{scan.blank} blank" + (f"; first invalid: {other_invalid[0][2][:120]!r}" if other_invalid else ""))
    dups = scan.duplicates()
    rep.check("kill9 no duplicate request ids", not dups,
              f"{len(scan.ids)} distinct ids in {len(scan.records)} records, {len(dups)} duplicated"
              + (f" ({sample(f'{k} x{v}' for k, v in dups.items())})" if dups else ""))
    old = [x for x in ok_before if x.done < t_kill - KILL_SLACK]
    recent = [x for x in ok_before if x.done >= t_kill - KILL_SLACK]
    missing = [x.request_id for x in old if x.request_id not in scan.ids]
    recent_present = sum(1 for x in recent if x.request_id in scan.ids)
    lost = [t_kill - x.done for x in recent if x.request_id not in scan.ids]
    answered_ids = {x.request_id for x in answers if x.request_id}
    unseen = sum(1 for rid in scan.ids if rid not in answered_ids)
    rep.check(f"kill9 records for answers older than {KILL_SLACK} s at the kill", old and not missing,
              f"{len(old) - len(missing)} of {len(old)} present, {len(missing)} missing"
              + (f" ({sample(missing)})" if missing else "")
              + f"; last {KILL_SLACK} s: {recent_present} of {len(recent)} present"
              + (f" (the oldest answer without a record came {max(lost) * 1000:.0f} ms before the kill)" if lost else "")
              + "; "
              f"{unseen} records of calls whose answer the client never got")

    # A SIGKILL seldom tears a line (the kernel finishes a write(2) to a regular file before the process dies), so
    # when it left none, one is made: the first half of the last record, as a crash mid-write (power loss) leaves.
    # The restart must then start its records on a line of their own.
    simulated = 0
    name = sorted(scan.raw)[-1] if scan.raw else None
    if not torn_final and name and scan.raw[name].endswith(b"\n"):
        data = scan.raw[name]
        last = data.rstrip(b"\n").rsplit(b"\n", 1)[-1]
        fragment = last[:len(last) // 2]
        with open(os.path.join(rig.ledger, name), "ab") as f:
            f.write(fragment)
        torn_final.append((name, data.count(b"\n"), fragment))
        scan.raw[name] = data + fragment
        simulated = 1

    # Restart on the same directory and port, a few calls, SIGTERM.
    before_restart = dict(scan.raw)
    try:
        ms = rig.start_gateway()
    except StartError as e:
        rep.check("kill9 restart on the same ledger", False, f"{e}: {e.output}")
        return
    extra = []
    c = http.client.HTTPConnection("127.0.0.1", rig.port, timeout=10)
    for _ in range(a.after_restart):
        try:
            c.request("POST", MODEL_PATH, body=BODY, headers=HEADERS)
            r = c.getresponse()
            r.read()
            extra.append(Answer(0, 0, r.status, r.getheader("x-amzn-RequestId"), error_type(r), None))
        except (OSError, http.client.HTTPException) as e:
            extra.append(Answer(0, 0, None, None, None, f"{type(e).__name__}: {e}"))
            c.close()
    c.close()
    rep.check("kill9 restart on the same ledger", all(x.status == 200 for x in extra),
              f"ready in {ms:.0f} ms; {summarise(extra)}")
    status, took = rig.stop(rig.gateway)
    rep.check("kill9 SIGTERM drain after the restart", status == 0, f"exit status {status} after {took:.2f} s")

    after = LedgerScan(rig.ledger)
    new_ids = [x.request_id for x in extra if x.status == 200]
    absent = [rid for rid in new_ids if after.ids[rid] == 0]
    twice = [rid for rid in new_ids if after.ids[rid] > 1]
    rep.check("kill9 records after the restart", not absent and not twice,
              f"{len(new_ids) - len(absent)} of {len(new_ids)} present, {len(absent)} missing, {len(twice)} twice")
    problems = restart_problems(before_restart, torn_final, after)
    rep.check("kill9 ledger files after the restart", not problems and after.blank == 0,
              f"{after.lines()} lines, {len(after.records)} records, {len(after.invalid)} invalid "
              f"(torn: {len(torn_final)}, of which simulated: {simulated}), {after.blank} blank"
              + (f"; {'; '.join(problems[:3])}" if problems else ""))
    dups = after.duplicates()
    rep.check("kill9 no duplicate request ids after the restart", not dups,
              f"{len(after.ids)} distinct ids in {len(after.records)} records, {len(dups)} duplicated"
              + (f" ({sample(f'{k} x{v}' for k, v in dups.items())})" if dups else ""))


def scenario_sighup(a, rep: Report, rig: Rig) -> None:
    rig.start_standin()
    rig.start_gateway()
    pid = rig.gateway.pid
    stats = {"signals": 0, "rewrites": 0, "died_at": None}
    done = threading.Event()

    def hangups():
        """SIGHUP every SIGHUP_INTERVAL s for --duration s, the catalogue rewritten between two signals."""
        t0 = time.monotonic()
        next_at = t0
        while time.monotonic() - t0 < a.duration:
            if rig.gateway.poll() is not None:
                stats["died_at"] = time.monotonic() - t0
                break
            os.kill(pid, signal.SIGHUP)  # the Popen is still unreaped (poll() above), so pid is still ours
            stats["signals"] += 1
            rig.write_catalogue()
            stats["rewrites"] += 1
            next_at += SIGHUP_INTERVAL
            if done.wait(max(0.0, next_at - time.monotonic())):
                break

    load = Load(rig.port).start()
    hup = threading.Thread(target=hangups, daemon=True)
    hup.start()
    hup.join(a.duration + 30)
    load.stop()
    done.set()
    answers = load.snapshot()
    alive = rig.gateway.poll() is None and stats["died_at"] is None
    rep.check("sighup process stays alive", alive,
              f"{stats['signals']} SIGHUPs and {stats['rewrites']} catalogue rewrites in {a.duration:.1f} s"
              + ("" if alive else f"; DIED (status {rig.gateway.returncode}): {rig.output('gateway-1')}"))
    ok = [x for x in answers if x.status == 200]
    rep.check("sighup every call answered 200", ok and len(ok) == len(answers), summarise(answers))
    if not alive:
        return
    reloads = metric(rig.port, "tollgate_catalogue_reloads_total")
    errors = metric(rig.port, "tollgate_catalogue_reload_errors_total")
    rep.check("sighup no catalogue reload errors", errors == 0,
              f"tollgate_catalogue_reloads_total {reloads}, tollgate_catalogue_reload_errors_total {errors}")
    status, took = rig.stop(rig.gateway)
    rep.check("sighup SIGTERM drain", status == 0, f"exit status {status} after {took:.2f} s")
    scan = LedgerScan(rig.ledger)
    ids = {x.request_id for x in ok}
    missing = [rid for rid in ids if scan.ids[rid] == 0]
    extra = [rid for rid in scan.ids if rid not in ids]
    dups = scan.duplicates()
    rep.check("sighup one ledger record per answered call",
              not missing and not extra and not dups and not scan.invalid and len(scan.records) == len(ok),
              f"{len(ok)} answered 200, {len(scan.records)} records, {len(missing)} missing, {len(extra)} extra, "
              f"{len(dups)} duplicated, {len(scan.invalid)} invalid lines"
              + (f" (missing: {sample(missing)})" if missing else ""))


def scenario_diskfull(a, rep: Report, rig: Rig) -> None:
    mount = os.path.join(rig.dir, "ledger-fs")
    os.mkdir(mount)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={a.disk_size},mode=0750", "tmpfs", mount],
                       capture_output=True, text=True)
    if r.returncode != 0:
        reason = ((r.stderr or r.stdout).strip().splitlines() or [f"status {r.returncode}"])[0]
        rep.skip("diskfull", f"cannot mount a tmpfs (needs root): {reason}")
        return
    try:
        diskfull_mounted(a, rep, rig, mount)
    finally:
        for p in reversed(list(rig.procs)):
            rig.stop(p, timeout=10)  # the gateway holds the ledger file open: it must go before the unmount
        with contextlib.suppress(OSError):
            shutil.copytree(rig.ledger, os.path.join(rig.dir, "ledger-copy"))
        r = subprocess.run(["umount", mount], capture_output=True, text=True)
        if r.returncode != 0:
            log(f"umount {mount}: {r.stderr.strip()}; detaching it lazily")
            subprocess.run(["umount", "-l", mount])


def diskfull_mounted(a, rep: Report, rig: Rig, mount: str) -> None:
    rig.ledger = os.path.join(mount, "ledger")
    spec = {"directory": rig.ledger, "on_failure": "refuse", "max_backlog_bytes": 65536, "max_backlog_ms": 500}
    rig.write_config(spec)
    rig.start_standin()
    try:
        rig.start_gateway()
        rep.check("diskfull config with ledger.on_failure", True, json.dumps(spec))
    except StartError as e:
        rep.check("diskfull config with ledger.on_failure", False,
                  f"{e}: {e.output}; going on without on_failure/max_backlog_* to see what this binary does")
        rig.write_config({"directory": rig.ledger})
        rig.start_gateway()

    # Fill the tmpfs up to DISK_LEAVE free bytes.
    filler = os.path.join(mount, "filler")
    st = os.statvfs(mount)
    size = max(0, st.f_bavail * st.f_frsize - DISK_LEAVE)
    with open(filler, "wb") as f:
        f.write(b"\0" * size)
    st = os.statvfs(mount)
    log(f"diskfull: tmpfs {a.disk_size}, filler {size} B, {st.f_bavail * st.f_frsize} B free")

    # /readyz polled every 50 ms for the whole run.
    ready_log = []
    polling = threading.Event()

    def poll_ready():
        deadline = time.monotonic() + 120
        while not polling.is_set() and time.monotonic() < deadline:
            status, _ = http_get(rig.port, "/readyz", timeout=2)
            ready_log.append((time.monotonic(), status))
            polling.wait(0.05)

    poller = threading.Thread(target=poll_ready, daemon=True)
    t0 = time.monotonic()
    poller.start()
    load = Load(rig.port, rate=DISK_RATE).start()
    try:
        # While full: /readyz turns 503 and calls are refused with 503 ServiceUnavailableException.
        def refusing():
            r503 = next((t for t, s in ready_log if s == 503), None)
            c503 = next((x.done for x in load.snapshot()
                         if x.status == 503 and x.error_type == "ServiceUnavailableException"), None)
            return (r503, c503) if r503 and c503 else None
        seen = wait_for(refusing, CONDITION_TIMEOUT, 0.05)
        r503 = next((t for t, s in ready_log if s == 503), None)
        c503 = next((x.done for x in load.snapshot()
                     if x.status == 503 and x.error_type == "ServiceUnavailableException"), None)
        ms = lambda t: f"{(t - t0) * 1000:.0f} ms" if t else "never"  # noqa: E731
        rep.check("diskfull refuses while the disk is full", bool(seen),
                  f"within {CONDITION_TIMEOUT} s of the load starting: /readyz 503 after {ms(r503)}, "
                  f"first 503 ServiceUnavailableException call after {ms(c503)}; "
                  f"{summarise(load.snapshot())}; write errors "
                  f"{metric(rig.port, 'tollgate_ledger_write_errors_total')}")
        if seen:
            # Hold the fault a while: every call sent once refusing has begun must be refused.
            load.stopping.wait(a.hold)
        t_free = time.monotonic()
        if seen:
            settled = max(seen) + 0.2
            window = [x for x in load.snapshot() if settled <= x.sent and x.done < t_free]
            refused = [x for x in window if x.status == 503 and x.error_type == "ServiceUnavailableException"]
            rep.check("diskfull every call refused while full", window and len(refused) == len(window),
                      f"{len(window)} calls sent from 200 ms after refusing began until the space was freed: "
                      f"{summarise(window)}")

        os.unlink(filler)
        st = os.statvfs(mount)
        log(f"diskfull: filler deleted, {st.f_bavail * st.f_frsize} B free")

        def recovered():
            r200 = next((t for t, s in ready_log if t > t_free and s == 200), None)
            c200 = next((x.done for x in load.snapshot() if x.sent > t_free and x.status == 200), None)
            return (r200, c200) if r200 and c200 else None
        back = wait_for(recovered, CONDITION_TIMEOUT, 0.05)
        rep.check("diskfull recovers once space is freed", bool(back),
                  f"/readyz 200 and a call answered 200 within {CONDITION_TIMEOUT} s: "
                  + (f"after {(back[0] - t_free) * 1000:.0f} ms and {(back[1] - t_free) * 1000:.0f} ms"
                     if back else f"no; {summarise([x for x in load.snapshot() if x.sent > t_free])}"))
        if back:
            load.stopping.wait(1.0)  # a second of load on the recovered ledger
    finally:
        load.stop()
        polling.set()
        poller.join(5)
    answers = load.snapshot()
    odd = [x for x in answers if x.status is None or
           (x.status != 200 and not (x.status == 503 and x.error_type == "ServiceUnavailableException"))]
    rep.check("diskfull every call answered 200 or 503 ServiceUnavailableException", not odd, summarise(answers))

    status, took = rig.stop(rig.gateway)
    rep.check("diskfull SIGTERM drain", status == 0, f"exit status {status} after {took:.2f} s")
    scan = LedgerScan(rig.ledger)
    ok_ids = [x.request_id for x in answers if x.status == 200]
    missing = [rid for rid in ok_ids if scan.ids[rid] == 0]
    twice = [rid for rid in ok_ids if scan.ids[rid] > 1]
    dups = scan.duplicates()
    torn = [line for _, _, line, _ in scan.invalid if scan.torn(line)]
    garbage = [line for _, _, line, _ in scan.invalid if not scan.torn(line)]
    refused_ids = {x.request_id for x in answers if x.status == 503}
    rep.check("diskfull one ledger record per call answered 200",
              ok_ids and not missing and not twice and not dups and not garbage,
              f"{len(ok_ids)} answered 200: {len(ok_ids) - len(missing)} recorded, {len(missing)} missing, "
              f"{len(twice)} recorded more than once; {len(dups)} ids duplicated in all "
              + (f"({sample(f'{k} x{v}' for k, v in dups.items())}) " if dups else "")
              + f"in {len(scan.records)} records; {len(torn)} torn fragments, {scan.blank} blank lines, "
              f"{len(garbage)} other invalid lines; {sum(1 for r in refused_ids if scan.ids[r])} records of "
              f"refused (503) calls" + (f"; missing: {sample(missing)}" if missing else ""))


SCENARIOS = {"kill9": scenario_kill9, "sighup": scenario_sighup, "diskfull": scenario_diskfull}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tollgate", required=True, help="the tollgate binary")
    p.add_argument("--only", help=f"comma-separated scenarios to run ({', '.join(SCENARIOS)}); default all")
    p.add_argument("--repeat", type=int, default=1, help="run the chosen scenarios this many times")
    p.add_argument("--duration", type=float, default=3.0, help="seconds of load in kill9 and sighup")
    p.add_argument("--after-restart", type=int, default=20, help="calls sent after the kill9 restart")
    p.add_argument("--hold", type=float, default=1.0, help="seconds diskfull holds the full disk once refusing")
    p.add_argument("--disk-size", default=DISK_SIZE, help="size of the diskfull tmpfs")
    p.add_argument("--keep", action="store_true", help="keep every temp dir (failed scenarios keep theirs anyway)")
    a = p.parse_args()
    a.tollgate = os.path.abspath(a.tollgate)
    names = a.only.split(",") if a.only else list(SCENARIOS)
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        p.error(f"unknown scenario(s) {', '.join(unknown)}; known: {', '.join(SCENARIOS)}")
    if not os.access(a.tollgate, os.X_OK):
        p.error(f"{a.tollgate} is not an executable")

    version = subprocess.run([a.tollgate, "--version"], capture_output=True, text=True).stdout.strip()
    built = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(os.path.getmtime(a.tollgate)))
    log(f"{a.tollgate}: {version or 'no --version output'}, modified {built}")
    rep = Report()
    t0 = time.monotonic()
    for round_ in range(a.repeat):
        for name in names:
            log(f"{name}" + (f" (round {round_ + 1} of {a.repeat})" if a.repeat > 1 else ""))
            failed_before = rep.failed
            rig = Rig(a, name)
            try:
                SCENARIOS[name](a, rep, rig)
            except Exception as e:  # a scenario that cannot go on is one failure, and the others still run
                detail = f"{type(e).__name__}: {e}" + (f": {e.output}" if isinstance(e, StartError) else "")
                rep.check(f"{name} ran to the end", False, detail)
            finally:
                rig.close(rep.failed > failed_before)
    log(f"done in {time.monotonic() - t0:.1f} s" + (f"; {rep.skipped} skipped" if rep.skipped else ""))
    print(f"{rep.passed} passed, {rep.failed} failed", flush=True)
    sys.exit(1 if rep.failed else 0)


if __name__ == "__main__":
    main()
