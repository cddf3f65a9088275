"""Client authentication with boto3 as the real client: SigV4 with a Tollgate key pair, Bedrock API keys
(`AWS_BEARER_TOKEN_BEDROCK`), and Bedrock's 403 error codes for each way it can go wrong (as in AWS's CommonErrors).

The auth error codes are not modelled in the bedrock-runtime service model, so boto3 raises `ClientError` with
`Error.Code` set from `x-amzn-ErrorType`.
"""

import datetime
import json
import os
import socket

import botocore.auth
import pytest
from botocore.exceptions import ClientError

from conftest import (DEMO_ACCESS_KEY_ID, DEMO_CLIENT_KEY, DISABLED_CLIENT_KEY, EXPIRED_CLIENT_KEY,
                      STAND_IN_ACCESS_KEY_ID)

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
SONNET_4_PROFILE = "us.anthropic.claude-sonnet-4-20250514-v1:0"
BODY = json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 16,
                   "messages": [{"role": "user", "content": "Hi"}]}).encode()
MESSAGES = [{"role": "user", "content": [{"text": "Hi"}]}]


def expect_refusal(client, code: str, stand_in) -> ClientError:
    with pytest.raises(ClientError) as raised:
        client.invoke_model(modelId=HAIKU, body=BODY, contentType="application/json")
    response = raised.value.response
    assert response["Error"]["Code"] == code
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert stand_in.calls() == [], "a refused call must not reach the upstream"
    return raised.value


@pytest.mark.parametrize("model", [HAIKU, SONNET_4_PROFILE])
def test_sigv4_with_a_tollgate_key_pair(sigv4_client, stand_in, model):
    answer = sigv4_client.invoke_model(modelId=model, body=BODY, contentType="application/json")
    assert json.loads(answer["body"].read())["model"] == model
    answer = sigv4_client.converse(modelId=model, messages=MESSAGES)
    assert answer["output"]["message"]["role"] == "assistant"
    # Tollgate signs upstream with its own credentials, never relaying the client's.
    assert [(c["model"], c["principal"]) for c in stand_in.calls()] == [(model, STAND_IN_ACCESS_KEY_ID)] * 2


def test_sigv4_streaming_call(sigv4_client):
    answer = sigv4_client.converse_stream(modelId=HAIKU, messages=MESSAGES)
    assert "metadata" in list(answer["stream"])[-1]


def test_bearer_api_key(bearer_client, stand_in):
    answer = bearer_client.invoke_model(modelId=HAIKU, body=BODY, contentType="application/json")
    assert json.loads(answer["body"].read())["model"] == HAIKU
    answer = bearer_client.converse_stream(modelId=HAIKU, messages=MESSAGES)
    assert "metadata" in list(answer["stream"])[-1]
    assert {c["principal"] for c in stand_in.calls()} == {STAND_IN_ACCESS_KEY_ID}


def test_bearer_clients_talk_to_tollgates_own_tls_listener(bearer_client, tollgate):
    assert bearer_client.meta.endpoint_url == tollgate.gateway_tls
    answer = bearer_client.converse(modelId=HAIKU, messages=MESSAGES)
    assert answer["ResponseMetadata"]["HTTPHeaders"]["x-tollgate-model"] == HAIKU


def test_plain_http_on_the_tls_port_is_closed_not_left_hanging(tollgate):
    port = int(tollgate.gateway_tls.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        raw.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert raw.recv(1024) == b"", "the server closes instead of answering in plain HTTP"


def test_bearer_client_really_sends_the_api_key(bearer_client):
    sent = []
    bearer_client.meta.events.register("before-send.bedrock-runtime.InvokeModel",
                                       lambda request, **_: sent.append(request.headers.get("Authorization")))
    try:
        bearer_client.invoke_model(modelId=HAIKU, body=BODY, contentType="application/json")
    finally:
        bearer_client.meta.events.unregister("before-send.bedrock-runtime.InvokeModel")
    assert [s.decode() if isinstance(s, bytes) else s for s in sent] == [f"Bearer {DEMO_CLIENT_KEY}"]


def test_wrong_secret_is_invalid_signature(clients, stand_in):
    expect_refusal(clients.sigv4(DEMO_ACCESS_KEY_ID, "not-the-demo-secret"), "InvalidSignatureException", stand_in)


def test_unknown_access_key_is_unrecognized_client(clients, stand_in):
    expect_refusal(clients.sigv4("TGUNKNOWNACCESSKEY99", "whatever-secret"), "UnrecognizedClientException",
                   stand_in)


def test_unsigned_request_is_missing_authentication_token(clients, stand_in):
    expect_refusal(clients.unsigned(), "MissingAuthenticationTokenException", stand_in)


def test_unknown_bearer_key_is_unrecognized_client(clients, stand_in):
    expect_refusal(clients.bearer("tg-not-a-key-0123456789abcdef"), "UnrecognizedClientException", stand_in)


@pytest.mark.parametrize("key", [DISABLED_CLIENT_KEY, EXPIRED_CLIENT_KEY], ids=["disabled", "expired"])
def test_disabled_and_expired_keys_are_access_denied(clients, stand_in, key):
    error = expect_refusal(clients.bearer(key), "AccessDeniedException", stand_in)
    assert key not in error.response["Error"]["Message"], "the key itself is never echoed"


def test_signature_from_a_skewed_clock_is_refused(sigv4_client, stand_in, monkeypatch):
    # Signing as if it were 20 minutes ago: outside the 15-minute window, although key and secret are right.
    skewed = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(minutes=20)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda *a, **k: skewed)
    expect_refusal(sigv4_client, "InvalidSignatureException", stand_in)


@pytest.mark.parametrize("model_id", [
    "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
    "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-20250514-v1:0",
])
def test_sigv4_signature_over_an_arn_model_id_verifies(sigv4_client, stand_in, model_id):
    # ':' and '/' are percent-encoded on the wire and encoded again in the canonical request; if Tollgate
    # canonicalised the path differently, this would be InvalidSignatureException (403) instead.
    try:
        answer = sigv4_client.invoke_model(modelId=model_id, body=BODY, contentType="application/json")
    except sigv4_client.exceptions.ResourceNotFoundException as error:
        assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 404
        assert stand_in.calls() == []
    else:
        assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_bearer_clients_leave_sigv4_clients_signing(bearer_client, sigv4_client):
    # The fixture sets AWS_BEARER_TOKEN_BEDROCK only while making a bearer client; were it left set, boto3
    # would switch every client to bearer and the SigV4 tests would test nothing.
    assert "AWS_BEARER_TOKEN_BEDROCK" not in os.environ
    sent = []
    sigv4_client.meta.events.register("before-send.bedrock-runtime.Converse",
                                      lambda request, **_: sent.append(request.headers.get("Authorization")))
    try:
        sigv4_client.converse(modelId=HAIKU, messages=MESSAGES)
    finally:
        sigv4_client.meta.events.unregister("before-send.bedrock-runtime.Converse")
    [authorization] = sent
    authorization = authorization.decode() if isinstance(authorization, bytes) else authorization
    assert authorization.startswith(f"AWS4-HMAC-SHA256 Credential={DEMO_ACCESS_KEY_ID}/")
