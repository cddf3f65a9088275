#!/usr/bin/env python3
"""Writes the load-test fixtures into a directory: the ~1 KB Anthropic request body, the static upstream's
InvokeModel answer and eventstream answers (a short one, and a long one for the dripping upstream), and the
nginx and Tollgate configuration files.

Eventstream framing follows the AWS eventstream encoding (prelude: total length, headers length, prelude CRC32;
headers; payload; message CRC32), the frame layout Bedrock's InvokeModelWithResponseStream uses:
https://docs.aws.amazon.com/transcribe/latest/dg/streaming-setting-up.html#streaming-event-stream
https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModelWithResponseStream.html

Usage: fixtures.py DIR --upstream-port P --drip-port P --proxy-port P --tollgate-port P --drip-tollgate-port P
                       --workers N --nofile N --drip-bytes-per-s N --drip-seconds N --key-hash sha256:...
(bench.py imports generate() instead.)
"""
import argparse
import base64
import json
import os
import struct
import zlib

MODEL_ID = "anthropic.claude-3-haiku-20240307-v1:0"
INPUT_TOKENS = 245
OUTPUT_TOKENS = 48


def header(name: str, value: str) -> bytes:
    """One eventstream header of type 7 (string)."""
    n = name.encode()
    v = value.encode()
    return struct.pack(">B", len(n)) + n + b"\x07" + struct.pack(">H", len(v)) + v


def frame(headers: bytes, payload: bytes) -> bytes:
    """A whole eventstream message with both CRC32s."""
    total = 12 + len(headers) + len(payload) + 4
    prelude = struct.pack(">II", total, len(headers))
    prelude += struct.pack(">I", zlib.crc32(prelude) & 0xFFFFFFFF)
    body = prelude + headers + payload
    return body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def chunk(event: dict) -> bytes:
    """A Bedrock `chunk` event carrying one Anthropic streaming event."""
    model_bytes = json.dumps(event, separators=(",", ":")).encode()
    payload = json.dumps({"bytes": base64.b64encode(model_bytes).decode()}, separators=(",", ":")).encode()
    headers = header(":event-type", "chunk") + header(":content-type", "application/json") + header(":message-type", "event")
    return frame(headers, payload)


def anthropic_stream(words: list) -> bytes:
    """message_start, content_block_start, one delta per word, stop events, and the invocation metrics."""
    events = [
        {"type": "message_start", "message": {
            "id": "msg_bdrk_bench", "type": "message", "role": "assistant", "model": MODEL_ID, "content": [],
            "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": INPUT_TOKENS, "output_tokens": 1}}},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
    ]
    for i, w in enumerate(words):
        events.append({"type": "content_block_delta", "index": 0,
                       "delta": {"type": "text_delta", "text": w if i == 0 else " " + w}})
    events += [
        {"type": "content_block_stop", "index": 0},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
         "usage": {"output_tokens": OUTPUT_TOKENS}},
        {"type": "message_stop", "amazon-bedrock-invocationMetrics": {
            "inputTokenCount": INPUT_TOKENS, "outputTokenCount": OUTPUT_TOKENS,
            "invocationLatency": 412, "firstByteLatency": 118}},
    ]
    return b"".join(chunk(e) for e in events)


REPLY = ("Load balancing spreads requests across servers so that no single machine becomes a bottleneck; "
         "a gateway in front of model endpoints adds authentication, routing, failover and accounting.")


def request_body() -> bytes:
    """A ~1 KB Anthropic messages request body."""
    text = ("You are reviewing the design of an HTTP gateway for language-model traffic. Summarise in three "
            "sentences why connection reuse, request signing caches and bounded buffers matter for tail latency, "
            "and name one metric an operator should watch for each. ")
    body = {
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 512,
        "temperature": 0.2,
        "system": "You are a concise senior systems engineer. Answer in plain prose without lists.",
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": text * 2}]},
            {"role": "assistant", "content": [{"type": "text", "text": "Understood. Which workload should I assume?"}]},
            {"role": "user", "content": [{"type": "text", "text": "Assume chat completions, 50 concurrent clients, loopback."}]},
        ],
    }
    return json.dumps(body, separators=(",", ":")).encode()


def chat_request_body() -> bytes:
    """The same conversation as `request_body`, as an OpenAI Chat Completions request."""
    anthropic = json.loads(request_body())
    messages = [{"role": "system", "content": anthropic["system"]}]
    messages += [{"role": m["role"], "content": m["content"][0]["text"]} for m in anthropic["messages"]]
    return json.dumps({"model": MODEL_ID, "max_tokens": 512, "temperature": 0.2, "messages": messages},
                      separators=(",", ":")).encode()


def converse_body() -> bytes:
    """Bedrock's Converse answer with the same reply and usage."""
    return json.dumps({
        "output": {"message": {"role": "assistant", "content": [{"text": REPLY}]}}, "stopReason": "end_turn",
        "usage": {"inputTokens": INPUT_TOKENS, "outputTokens": OUTPUT_TOKENS, "totalTokens": INPUT_TOKENS + OUTPUT_TOKENS},
        "metrics": {"latencyMs": 412},
    }, separators=(",", ":")).encode()


def invoke_body() -> bytes:
    return json.dumps({
        "id": "msg_bdrk_01BenchFixture", "type": "message", "role": "assistant", "model": MODEL_ID,
        "content": [{"type": "text", "text": REPLY}], "stop_reason": "end_turn", "stop_sequence": None,
        "usage": {"input_tokens": INPUT_TOKENS, "output_tokens": OUTPUT_TOKENS},
    }, separators=(",", ":")).encode()


UPSTREAM_NGINX = """\
# The static Bedrock-shaped upstream (fast on {upstream_port}, dripping at {drip_rate} B/s on {drip_port}).
worker_processes {workers};
worker_rlimit_nofile {nofile};
pid {dir}/upstream.pid;
error_log {dir}/upstream-error.log warn;
daemon off;
events {{ worker_connections 16384; multi_accept on; }}
http {{
    access_log off;
    sendfile on;
    tcp_nodelay on;
    keepalive_requests 1000000;
    keepalive_timeout 120s;
    client_body_buffer_size 64k;
    default_type application/json;
    client_body_temp_path {dir}/nginx-tmp/upstream-body;
    server {{
        listen 127.0.0.1:{upstream_port} backlog=8192 reuseport;
{routes}
    }}
    server {{
        listen 127.0.0.1:{drip_port} backlog=8192 reuseport;
        limit_rate {drip_rate};
{drip_routes}
    }}
}}
"""

ROUTES = """\
        # POST to a static file is 405 in nginx; the error page redirects to an internal location as a GET
        # (headers are added there, where the answer is made).
        location ~ ^/model/[^/]+/invoke$ {{ error_page 405 =200 /_static/invoke.json; return 405; }}
        location ~ ^/model/[^/]+/invoke-with-response-stream$ {{ error_page 405 =200 /_static/{stream_file}; return 405; }}
        location ~ ^/model/[^/]+/converse$ {{ error_page 405 =200 /_static/converse.json; return 405; }}
        location = /_static/converse.json {{
            internal;
            alias {dir}/converse.json;
            default_type application/json;
            etag off;
            add_header X-Amzn-RequestId 7c1d0f5e-3b1a-4e4b-9a8e-000000000003;
        }}
        location = /_static/invoke.json {{
            internal;
            alias {dir}/invoke.json;
            default_type application/json;
            etag off;
            add_header X-Amzn-Bedrock-Input-Token-Count {input_tokens};
            add_header X-Amzn-Bedrock-Output-Token-Count {output_tokens};
            add_header X-Amzn-Bedrock-Invocation-Latency 412;
            add_header X-Amzn-RequestId 7c1d0f5e-3b1a-4e4b-9a8e-000000000001;
        }}
        location = /_static/{stream_file} {{
            internal;
            alias {dir}/{stream_file};
            default_type application/vnd.amazon.eventstream;
            etag off;
            add_header X-Amzn-Bedrock-Content-Type application/json;
            add_header X-Amzn-RequestId 7c1d0f5e-3b1a-4e4b-9a8e-000000000002;
        }}
"""

PROXY_NGINX = """\
# nginx as a plain reverse proxy to the same upstream: the reference.
worker_processes {workers};
worker_rlimit_nofile {nofile};
pid {dir}/proxy.pid;
error_log {dir}/proxy-error.log warn;
daemon off;
events {{ worker_connections 16384; multi_accept on; }}
http {{
    access_log off;
    tcp_nodelay on;
    keepalive_requests 1000000;
    keepalive_timeout 120s;
    client_body_buffer_size 64k;
    client_body_temp_path {dir}/nginx-tmp/proxy-body;
    proxy_temp_path {dir}/nginx-tmp/proxy-temp;
    upstream bedrock {{ server 127.0.0.1:{upstream_port}; keepalive 1024; keepalive_requests 1000000; }}
    server {{
        listen 127.0.0.1:{proxy_port} backlog=8192 reuseport;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        location ~ /invoke-with-response-stream$ {{ proxy_buffering off; proxy_pass http://bedrock; }}
        location / {{ proxy_pass http://bedrock; }}
    }}
}}
"""


def tollgate_config(port: int, upstream_port: int, workers: int) -> dict:
    return {
        "listen": [f"127.0.0.1:{port}"],
        "workers": workers,
        "limits": {"max_connections": 20000, "idle_timeout_ms": 120000, "shutdown_grace_ms": 5000},
        "log": {"level": "warning", "access": False},
        "catalogue": "catalogue.json",
        "keys": "keys.json",
        "upstream": {
            "region": "us-east-1",
            "endpoint": f"http://127.0.0.1:{upstream_port}",
            "connect_timeout_ms": 3000,
            "idle_timeout_ms": 120000,
            "credentials": {"bench": {"source": "file", "path": "bench-credentials"}},
            "retry": {"attempts_per_model": 1, "max_failover_hops": 0},
        },
        "ledger": {"directory": "ledger"},
    }


def catalogue() -> dict:
    return {"models": [{
        "id": MODEL_ID, "aliases": ["claude-3-haiku"], "type": "completion",
        "display": {"label": "Claude 3 Haiku", "brand": "Anthropic"},
        "capabilities": {"streaming": True}, "region": "us-east-1", "enabled": True,
        "provider_config": {"provider": "bedrock", "model_id": MODEL_ID, "region": "us-east-1", "credentials": "bench"},
        "pricing": {"currency": "USD",
                    "input": {"cost": 0.25, "per": 1000000, "unit": "tokens"},
                    "output": {"cost": 1.25, "per": 1000000, "unit": "tokens"}},
    }]}


def write(path: str, data, mode: int = 0o644) -> None:
    if isinstance(data, str):
        data = data.encode()
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)


def generate(d: str, *, upstream_port: int, drip_port: int, proxy_port: int, tollgate_port: int,
             drip_tollgate_port: int, workers: int, nofile: int, drip_bytes_per_s: int, drip_seconds: int,
             key_hash: str) -> None:
    """Writes every fixture and configuration file into `d` (and the dripping Tollgate's into `d/drip`)."""
    d = os.path.abspath(d)
    write(f"{d}/request.json", request_body())
    write(f"{d}/invoke.json", invoke_body())
    write(f"{d}/converse.json", converse_body())
    write(f"{d}/chat-request.json", chat_request_body())
    write(f"{d}/stream.bin", anthropic_stream(REPLY.split(" ")))
    # The dripping stream: enough delta frames to last drip_seconds at drip_bytes_per_s.
    words = REPLY.split(" ")
    drip = anthropic_stream(words)
    while len(drip) < drip_bytes_per_s * drip_seconds:
        words = words + REPLY.split(" ")
        drip = anthropic_stream(words)
    write(f"{d}/drip.bin", drip)

    fmt = dict(dir=d, workers=workers, nofile=nofile, upstream_port=upstream_port, drip_port=drip_port,
               proxy_port=proxy_port, drip_rate=drip_bytes_per_s,
               input_tokens=INPUT_TOKENS, output_tokens=OUTPUT_TOKENS)
    fmt["routes"] = ROUTES.format(stream_file="stream.bin", **fmt)
    fmt["drip_routes"] = ROUTES.format(stream_file="drip.bin", **fmt)
    write(f"{d}/upstream.conf", UPSTREAM_NGINX.format(**fmt))
    write(f"{d}/proxy.conf", PROXY_NGINX.format(**fmt))

    credentials = ("[default]\naws_access_key_id = AKIABENCHDUMMY000001\n"
                   "aws_secret_access_key = benchDummySecretKeyThatSignsButOpensNothing0\n")
    keys = json.dumps({"keys": [{"id": "bench-client", "org": "bench", "role": "client", "hash": key_hash}]}, indent=1)
    for sub, port, up in (("tollgate", tollgate_port, upstream_port), ("drip", drip_tollgate_port, drip_port)):
        os.makedirs(f"{d}/{sub}/ledger", exist_ok=True)
        write(f"{d}/{sub}/bench-credentials", credentials, 0o600)
        write(f"{d}/{sub}/keys.json", keys)
        write(f"{d}/{sub}/catalogue.json", json.dumps(catalogue(), indent=1))
        write(f"{d}/{sub}/tollgate.json", json.dumps(tollgate_config(port, up, workers), indent=1))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    for name in ("upstream-port", "drip-port", "proxy-port", "tollgate-port", "drip-tollgate-port", "workers",
                 "nofile", "drip-bytes-per-s", "drip-seconds"):
        p.add_argument("--" + name, type=int, required=True)
    p.add_argument("--key-hash", required=True)
    a = vars(p.parse_args())
    d = a.pop("dir")
    generate(d, **a)


if __name__ == "__main__":
    main()
