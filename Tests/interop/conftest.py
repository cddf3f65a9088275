"""Fixtures for the boto3 interop tests: one `tollgate demo` (gateway + Bedrock stand-in) per test session, boto3
`bedrock-runtime` clients for every way a caller authenticates, and a handle on the stand-in's script.

The demo runs from a temporary copy of `config/`, so the shipped files are never touched. The copy's keys file
gains a few test-only keys (an Acme client, a disabled and an expired key) whose plain text the tests know; the
shipped demo keys are used as they are.

Covers forwarding (the stand-in, `tollgate demo`) and access policy (client authentication, org rules, failover).
"""

from __future__ import annotations

import hashlib
import json
import os
import pty
import queue
import shutil
import signal
import subprocess
import threading
import time
import tty
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Optional

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config


REPO_ROOT = Path(__file__).resolve().parents[2]
CONFIG_DIR = REPO_ROOT / "config"

REGION = "us-east-1"
#: The shipped demo keys (config/keys.json, printed by `tollgate demo`).
DEMO_ACCESS_KEY_ID = "TGDEMOACCESSKEY0001"
DEMO_SECRET = (CONFIG_DIR / "demo-sigv4.secret").read_text().strip()
DEMO_CLIENT_KEY = "tg-demo-client-key-0123456789abcdef"
DEMO_ADMIN_KEY = "tg-demo-admin-key-0123456789abcdef"
#: Test-only keys added to the temporary keys file (org `acme`, and keys that must be refused).
ACME_CLIENT_KEY = "tg-interop-acme-client-key-0123456789"
DISABLED_CLIENT_KEY = "tg-interop-disabled-key-0123456789"
EXPIRED_CLIENT_KEY = "tg-interop-expired-key-0123456789"
#: The key pair `tollgate demo` signs upstream calls with (what the stand-in reports as the call's principal).
STAND_IN_ACCESS_KEY_ID = "AKIDSTANDINDEMO"

READY_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 20.0
#: Botocore must not retry: the tests want to see each exception class exactly as Tollgate answered. In botocore's
#: retry config `max_attempts` counts retries after the first call (`max_attempts: 1` still retries once, with a
#: back-off sleep, on throttling and 5xx); `total_max_attempts` counts every call.
NO_RETRIES = {"total_max_attempts": 1, "mode": "standard"}

_AWS_ENV_PREFIXES = ("AWS_",)


def key_hash(key: str) -> str:
    """What `tollgate hash-key` prints for `key`: `sha256:<hex>`."""
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def tollgate_binary() -> Path:
    """`$TOLLGATE_BIN`, else the debug build in the repository."""
    configured = os.environ.get("TOLLGATE_BIN")
    return Path(configured) if configured else REPO_ROOT / ".build" / "debug" / "tollgate"


def prepare_config(directory: Path) -> Path:
    """Copies `config/` to `directory/config`, adds the test-only keys, returns the path of its tollgate.json."""
    target = directory / "config"
    shutil.copytree(CONFIG_DIR, target)
    keys_path = target / "keys.json"
    keys = json.loads(keys_path.read_text())
    keys["keys"] += [
        {"id": "interop-acme", "org": "acme", "role": "client", "hash": key_hash(ACME_CLIENT_KEY)},
        {"id": "interop-disabled", "org": "demo", "role": "client", "hash": key_hash(DISABLED_CLIENT_KEY),
         "disabled": True},
        {"id": "interop-expired", "org": "demo", "role": "client", "hash": key_hash(EXPIRED_CLIENT_KEY),
         "expires_at": "2020-01-01T00:00:00Z"},
    ]
    keys_path.write_text(json.dumps(keys, indent=2))
    return target / "tollgate.json"


def child_environment() -> dict[str, str]:
    """The test process's environment without any AWS settings (the demo sets the upstream pair itself)."""
    return {k: v for k, v in os.environ.items() if not k.startswith(_AWS_ENV_PREFIXES)}


class OutputLines:
    """Reads a child's output from `fd` on a thread until EOF, keeping every line and handing each to waiters.

    Draining continuously matters: the gateway logs to stdout, and a full pipe would stall it.
    """

    def __init__(self, fd: int):
        self._fd = fd
        self.lines: list[str] = []
        self._queue: queue.Queue[Optional[str]] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="tollgate-output", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        pending = b""
        while True:
            try:
                data = os.read(self._fd, 65536)
            except OSError:  # EIO: the pty's other side is closed.
                data = b""
            if not data:
                break
            pending += data
            *complete, pending = pending.split(b"\n")
            for raw in complete:
                line = raw.decode("utf-8", "replace").rstrip("\r")
                self.lines.append(line)
                self._queue.put(line)
        if pending:
            self.lines.append(pending.decode("utf-8", "replace"))
        self._queue.put(None)

    def wait_for_json_event(self, event: str, timeout: float) -> Optional[dict[str, Any]]:
        """The first JSON line whose `event` is `event`, or None at EOF or after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            try:
                line = self._queue.get(timeout=remaining)
            except queue.Empty:
                return None
            if line is None:
                return None
            if line.startswith("{"):
                try:
                    obj = json.loads(line)
                except ValueError:
                    continue
                if obj.get("event") == event:
                    return obj

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)


@dataclass
class DemoProcess:
    """A running `tollgate demo` with its output readers."""

    process: subprocess.Popen
    stdout: OutputLines
    stderr_path: Path
    _fds: list[int] = field(default_factory=list)

    def diagnostics(self) -> str:
        err = self.stderr_path.read_text(errors="replace") if self.stderr_path.exists() else ""
        return "stdout:\n" + "\n".join(self.stdout.lines[-40:]) + "\nstderr:\n" + err[-4000:]

    def stop(self) -> Optional[int]:
        """SIGTERM, then the exit status; None if it had to be killed after STOP_TIMEOUT_S."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            status = self.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            status = None
        self.stdout.join(5)
        if self.process.stdout is not None:
            self.process.stdout.close()
        for fd in self._fds:
            try:
                os.close(fd)
            except OSError:
                pass
        return status


def start_demo(config_path: Path, log_dir: Path, *, stdout_through_pty: bool) -> DemoProcess:
    """Starts `tollgate demo` on port 0 for every listener (HTTP, HTTPS and the stand-in).

    With `stdout_through_pty`, stdout is a pseudo-terminal (line-buffered in the child), else a plain pipe.
    """
    binary = tollgate_binary()
    if not binary.exists():
        pytest.fail(f"{binary} does not exist: build it first (swift build) or set TOLLGATE_BIN")
    args = [str(binary), "demo", "--port", "0", "--tls-port", "0", "--stand-in-port", "0", "--config", str(config_path)]
    stderr_path = log_dir / "tollgate-demo.stderr"
    stderr_file = open(stderr_path, "wb")
    try:
        if stdout_through_pty:
            parent_fd, child_fd = pty.openpty()
            tty.setraw(child_fd)
            process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=child_fd, stderr=stderr_file,
                                       env=child_environment(), cwd=str(log_dir))
            os.close(child_fd)
            return DemoProcess(process, OutputLines(parent_fd), stderr_path, [parent_fd])
        process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr_file,
                                   env=child_environment(), cwd=str(log_dir))
        return DemoProcess(process, OutputLines(process.stdout.fileno()), stderr_path)
    finally:
        stderr_file.close()


class StandIn:
    """The stand-in's control endpoints: scripted rules (fields as in `StandInRule.swift`) and stats."""

    def __init__(self, url: str):
        self.url = url

    def _request(self, method: str, path: str, body: Optional[bytes] = None) -> bytes:
        request = urllib.request.Request(self.url + path, data=body, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.read()

    def script(self, *rules: dict[str, Any]) -> None:
        """Replaces the script with `rules`, matched in order against each upstream call."""
        self._request("POST", "/_standin/rules", json.dumps(list(rules)).encode())

    def reset(self) -> None:
        """Clears the rules and the stats."""
        self._request("DELETE", "/_standin/rules")

    def stats(self) -> dict[str, Any]:
        return json.loads(self._request("GET", "/_standin/stats"))

    def calls(self) -> list[dict[str, Any]]:
        """The calls that reached the stand-in since the last reset: operation, model, principal, body_bytes."""
        return self.stats()["calls"]

    def models_called(self) -> list[str]:
        """Upstream model ids in the order they were first called (retries of one model count once)."""
        seen: list[str] = []
        for call in self.calls():
            if call["model"] not in seen:
                seen.append(call["model"])
        return seen


@dataclass
class Tollgate:
    """The running demo: the gateway's HTTP and HTTPS base URLs, the certificate to trust for the latter, and the
    stand-in's base URL."""

    gateway: str
    gateway_tls: str
    certificate: str
    stand_in: str
    config_dir: Path
    demo: DemoProcess


class Clients:
    """Makes boto3 `bedrock-runtime` clients pointed at the gateway, and closes them all at the end.

    Bearer clients use the gateway's own HTTPS listener (`https_gateway`, trusting the demo's self-signed
    `certificate`): boto3 sends API keys only over HTTPS.
    """

    def __init__(self, gateway: str, https_gateway: str, certificate: str):
        self.gateway = gateway
        self.https_gateway = https_gateway
        self.certificate = certificate
        self._made: dict[tuple, Any] = {}

    def _config(self, **extra: Any) -> Config:
        return Config(retries=dict(NO_RETRIES), connect_timeout=5, read_timeout=30, **extra)

    def _cached(self, key: tuple, make) -> Any:
        """One client per distinct identity for the session, so connections are reused as an application would."""
        if key not in self._made:
            self._made[key] = make()
        return self._made[key]

    def sigv4(self, access_key_id: str = DEMO_ACCESS_KEY_ID, secret: str = DEMO_SECRET) -> Any:
        """A client signing with SigV4, like any AWS SDK with ordinary credentials."""
        def make() -> Any:
            session = boto3.session.Session(aws_access_key_id=access_key_id, aws_secret_access_key=secret,
                                            region_name=REGION)
            return session.client("bedrock-runtime", endpoint_url=self.gateway, config=self._config())
        return self._cached(("sigv4", access_key_id, secret), make)

    def bearer(self, token: str = DEMO_CLIENT_KEY) -> Any:
        """A client using a Bedrock API key the way boto3 finds one: `AWS_BEARER_TOKEN_BEDROCK`.

        boto3 reads the token from the variable when the client is created, but decides per request whether to
        use it by looking at the variable again, and while it is set even clients with explicit SigV4
        credentials switch to bearer. So the variable is set only while this client is created and restored
        afterwards, and this client is pinned to the `bearer` scheme it would have chosen.
        """
        def make() -> Any:
            name = "AWS_BEARER_TOKEN_BEDROCK"
            previous = os.environ.get(name)
            os.environ[name] = token
            try:
                session = boto3.session.Session(region_name=REGION)
                return session.client("bedrock-runtime", endpoint_url=self.https_gateway, verify=self.certificate,
                                      config=self._config(signature_version="bearer"))
            finally:
                if previous is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = previous
        return self._cached(("bearer", token), make)

    def unsigned(self) -> Any:
        """A client that sends no credentials at all (botocore `UNSIGNED`)."""
        def make() -> Any:
            session = boto3.session.Session(region_name=REGION)
            return session.client("bedrock-runtime", endpoint_url=self.gateway,
                                  config=self._config(signature_version=UNSIGNED))
        return self._cached(("unsigned",), make)

    def close_all(self) -> None:
        for client in self._made.values():
            client.close()
        self._made.clear()


@pytest.fixture(scope="session")
def _isolated_aws_environment(tmp_path_factory) -> Iterator[None]:
    """No AWS settings of the machine reach boto3: no credentials, profiles, config files or instance metadata."""
    home = tmp_path_factory.mktemp("aws-home")
    with pytest.MonkeyPatch.context() as patch:
        for name in [k for k in os.environ if k.startswith(_AWS_ENV_PREFIXES)]:
            patch.delenv(name)
        patch.setenv("AWS_CONFIG_FILE", str(home / "config"))
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "credentials"))
        patch.setenv("AWS_EC2_METADATA_DISABLED", "true")
        yield


@pytest.fixture(scope="session")
def tollgate(tmp_path_factory, _isolated_aws_environment) -> Iterator[Tollgate]:
    """`tollgate demo` for the whole session, from a temporary copy of `config/`; stopped with SIGTERM at the end,
    which must exit 0.

    Its stdout is read through a pseudo-terminal: `demo_ready` is written with buffered stdio and, through a
    plain pipe, is held back until exit (see test_demo.py). A terminal makes the child line-buffered.
    """
    directory = tmp_path_factory.mktemp("tollgate")
    config_path = prepare_config(directory)
    demo = start_demo(config_path, directory, stdout_through_pty=False)
    ready = demo.stdout.wait_for_json_event("demo_ready", READY_TIMEOUT_S)
    if ready is None:
        demo.stop()
        pytest.fail("tollgate demo did not print demo_ready within "
                    f"{READY_TIMEOUT_S:.0f} s (exit status {demo.process.poll()})\n{demo.diagnostics()}")
    instance = Tollgate(gateway=ready["gateway"], gateway_tls=ready["gateway_tls"], certificate=ready["certificate"],
                        stand_in=ready["stand_in"], config_dir=config_path.parent, demo=demo)
    yield instance
    status = demo.stop()
    assert status == 0, f"tollgate demo did not exit cleanly on SIGTERM (status {status})\n{demo.diagnostics()}"


@pytest.fixture(scope="session")
def _session_clients(tollgate) -> Iterator[Clients]:
    made = Clients(tollgate.gateway, tollgate.gateway_tls, tollgate.certificate)
    yield made
    made.close_all()


@pytest.fixture
def clients(_session_clients) -> Clients:
    """A factory for boto3 clients: `clients.sigv4()`, `clients.bearer(token)`, `clients.unsigned()`."""
    return _session_clients


@pytest.fixture
def sigv4_client(clients):
    """A client signing with the demo SigV4 pair (org `demo`)."""
    return clients.sigv4()


@pytest.fixture
def bearer_client(clients):
    """A client using the demo Bedrock API key (org `demo`)."""
    return clients.bearer(DEMO_CLIENT_KEY)


@pytest.fixture(autouse=True)
def stand_in(tollgate) -> StandIn:
    """The stand-in, with its rules and stats cleared before every test."""
    handle = StandIn(tollgate.stand_in)
    handle.reset()
    return handle
