"""`tollgate demo` as scripts start it: the `demo_ready` line must reach a reader of a plain pipe while the demo
runs, not only when it exits (it is the machine-readable signal that scripts and tests starting the demo on
port 0 wait for).
"""

import ssl
import urllib.request

import pytest

from conftest import READY_TIMEOUT_S, prepare_config, start_demo

#: How long after the gateway logged `listening` the line may take (it is printed right after).
READY_AFTER_LISTENING_S = 5.0


def test_demo_ready_line_arrives_through_a_pipe_while_the_demo_runs(tmp_path):
    demo = start_demo(prepare_config(tmp_path), tmp_path, stdout_through_pty=False)
    try:
        listening = demo.stdout.wait_for_json_event("listening", READY_TIMEOUT_S)
        assert listening is not None, f"the gateway never logged listening\n{demo.diagnostics()}"
        ready = demo.stdout.wait_for_json_event("demo_ready", READY_AFTER_LISTENING_S)
        assert ready is not None, "demo_ready was not readable from the pipe while the demo ran"
        with urllib.request.urlopen(ready["gateway"] + "/healthz", timeout=5) as response:
            assert response.status == 200
        with urllib.request.urlopen(ready["stand_in"] + "/_standin/stats", timeout=5) as response:
            assert response.status == 200
        # The HTTPS listener, trusted through the certificate the demo made (and named) for it.
        assert ready["gateway_tls"].startswith("https://localhost:")
        context = ssl.create_default_context(cafile=ready["certificate"])
        with urllib.request.urlopen(ready["gateway_tls"] + "/healthz", timeout=5, context=context) as response:
            assert response.status == 200
            assert response.version == 11
    finally:
        status = demo.stop()
    assert status == 0, demo.diagnostics()
