"""A TLS terminator on loopback in front of the gateway, as a deployment puts one in front of Tollgate.

boto3 refuses to send a Bedrock API key (`Authorization: Bearer`) to a plain-HTTP endpoint ("Bearer
authorization requires an HTTPS endpoint"), and Tollgate listens in plain HTTP, so the bearer tests reach the
gateway through this. The certificate in `tls/` is a self-signed test certificate for 127.0.0.1, used nowhere else.

One thread accepts; each connection gets one thread that relays bytes both ways (one thread per TLS socket, as
an `SSLSocket` must not be read and written from two threads at once).
"""

from __future__ import annotations

import select
import socket
import ssl
import threading
from pathlib import Path

TLS_DIR = Path(__file__).resolve().parent / "tls"
CERTIFICATE = TLS_DIR / "loopback-cert.pem"
PRIVATE_KEY = TLS_DIR / "loopback-key.pem"
IDLE_TIMEOUT_S = 60.0


class TLSTerminator:
    """Accepts TLS on 127.0.0.1:<port> and relays the plain bytes to `target` (host, port)."""

    def __init__(self, target: tuple[str, int]):
        self._target = target
        self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._context.load_cert_chain(CERTIFICATE, PRIVATE_KEY)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._closed = threading.Event()
        self._threads: list[threading.Thread] = []
        self._accepter = threading.Thread(target=self._accept, name="tls-accept", daemon=True)
        self._accepter.start()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._closed.set()
        # Closing a listener does not wake a thread blocked in accept(); a connection does.
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=5).close()
        except OSError:
            pass
        self._accepter.join(5)
        self._listener.close()
        for thread in self._threads:
            thread.join(5)

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                raw, _ = self._listener.accept()
            except OSError:
                return
            if self._closed.is_set():
                raw.close()
                return
            thread = threading.Thread(target=self._relay, args=(raw,), name="tls-relay", daemon=True)
            self._threads.append(thread)
            thread.start()

    def _relay(self, raw: socket.socket) -> None:
        raw.settimeout(IDLE_TIMEOUT_S)
        try:
            client = self._context.wrap_socket(raw, server_side=True)
        except (OSError, ssl.SSLError):
            raw.close()
            return
        try:
            upstream = socket.create_connection(self._target, timeout=IDLE_TIMEOUT_S)
        except OSError:
            client.close()
            return
        try:
            while not self._closed.is_set():
                # Bytes already decrypted inside the TLS layer do not make the socket readable.
                ready = [client] if client.pending() else select.select([client, upstream], [], [], 0.5)[0]
                for source in ready:
                    data = source.recv(65536)
                    if not data:
                        return
                    (upstream if source is client else client).sendall(data)
        except (OSError, ssl.SSLError):
            return
        finally:
            upstream.close()
            client.close()
