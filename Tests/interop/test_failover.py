"""Failover as a boto3 caller sees it: when a model fails with a retryable error, its catalogue `failover` target
answers instead, and `x-tollgate-model` / `x-tollgate-attempts` say so; client errors are never failed over
(400/403/404 types).
"""

import json

import pytest

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
SONNET_35 = "anthropic.claude-3-5-sonnet-20240620-v1:0"  # fails over to Haiku
SONNET_4 = "us.anthropic.claude-sonnet-4-20250514-v1:0"  # fails over to 3.5 Sonnet
BODY = json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 16,
                   "messages": [{"role": "user", "content": "Hi"}]}).encode()
MESSAGES = [{"role": "user", "content": [{"text": "Hi"}]}]


def answered_by(answer) -> tuple[str, str]:
    headers = answer["ResponseMetadata"]["HTTPHeaders"]
    return headers["x-tollgate-model"], headers["x-tollgate-attempts"]


@pytest.mark.parametrize("rule", [
    {"status": 429, "error_type": "ThrottlingException"},
    {"status": 429, "error_type": "ModelNotReadyException"},
    {"status": 408, "error_type": "ModelTimeoutException"},
    {"status": 500, "error_type": "InternalServerException"},
    {"status": 503, "error_type": "ServiceUnavailableException"},
    {"status": 424, "error_type": "ModelErrorException"},
    {"drop_connection": True},
], ids=lambda r: r.get("error_type", "connection-dropped"))
def test_retryable_failure_is_answered_by_the_failover_target(sigv4_client, stand_in, rule):
    # The rule holds for every call to 3.5 Sonnet, so retries of that model (if any) fail too.
    stand_in.script({"model": SONNET_35, **rule})
    answer = sigv4_client.invoke_model(modelId=SONNET_35, body=BODY, contentType="application/json")
    assert json.loads(answer["body"].read())["model"] == HAIKU
    model, attempts = answered_by(answer)
    assert model == HAIKU and int(attempts) >= 2
    assert stand_in.models_called() == [SONNET_35, HAIKU]


def test_two_hop_chain_for_converse(sigv4_client, stand_in):
    stand_in.script({"model": SONNET_4, "status": 503, "error_type": "ServiceUnavailableException"},
                    {"model": SONNET_35, "status": 429, "error_type": "ThrottlingException"})
    answer = sigv4_client.converse(modelId=SONNET_4, messages=MESSAGES)
    assert answer["output"]["message"]["role"] == "assistant"
    assert answered_by(answer)[0] == HAIKU
    assert stand_in.models_called() == [SONNET_4, SONNET_35, HAIKU]


def test_one_transient_failure_then_success(sigv4_client, stand_in):
    # One failure only: whether Tollgate retries 3.5 Sonnet or moves on, the caller gets an answer.
    stand_in.script({"model": SONNET_35, "times": 1, "status": 503, "error_type": "ServiceUnavailableException"})
    answer = sigv4_client.invoke_model(modelId=SONNET_35, body=BODY, contentType="application/json")
    model, attempts = answered_by(answer)
    assert model in (SONNET_35, HAIKU) and attempts == "2"


@pytest.mark.parametrize("status, name", [(400, "ValidationException"), (403, "AccessDeniedException")])
def test_client_errors_are_not_failed_over(sigv4_client, stand_in, status, name):
    stand_in.script({"model": SONNET_35, "status": status, "error_type": name})
    with pytest.raises(getattr(sigv4_client.exceptions, name)) as raised:
        sigv4_client.invoke_model(modelId=SONNET_35, body=BODY, contentType="application/json")
    assert answered_by(raised.value.response) == (SONNET_35, "1")
    assert stand_in.models_called() == [SONNET_35]


def test_a_model_without_failover_answers_success_in_one_attempt(sigv4_client, stand_in):
    answer = sigv4_client.invoke_model(modelId=HAIKU, body=BODY, contentType="application/json")
    assert answered_by(answer) == (HAIKU, "1")
