"""Bedrock's error classes as boto3 raises them through Tollgate: scripted stand-in failures relayed with their
status, `x-amzn-ErrorType` and message, and Tollgate's own 404 for an unknown model (`ResourceNotFoundException`).

A rule on model `*` fails every hop of a failover chain, so the last error a caller sees is the scripted one.
"""

import json

import pytest

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"  # no failover target in the shipped catalogue
SONNET_4 = "us.anthropic.claude-sonnet-4-20250514-v1:0"  # fails over to 3.5 Sonnet, then Haiku
SONNET_35 = "anthropic.claude-3-5-sonnet-20240620-v1:0"
SONNET_4_CHAIN = [SONNET_4, SONNET_35, HAIKU]
BODY = json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 16,
                   "messages": [{"role": "user", "content": "Hi"}]}).encode()
MESSAGES = [{"role": "user", "content": [{"text": "Hi"}]}]

#: (status, exception class, retryable: 408, 424, 429 and 5xx are)
SCRIPTED_ERRORS = [
    (429, "ThrottlingException", True),
    (400, "ValidationException", False),
    (408, "ModelTimeoutException", True),
    (503, "ServiceUnavailableException", True),
    (500, "InternalServerException", True),
    (424, "ModelErrorException", True),
    (403, "AccessDeniedException", False),
]


def script_failure(stand_in, status, name, model="*", operation="*"):
    message = f"scripted {name}"
    stand_in.script({"model": model, "operation": operation, "status": status, "error_type": name,
                     "message": message})
    return message


def check_error(raised, status, name, message):
    response = raised.value.response
    assert response["Error"]["Code"] == name
    assert response["Error"]["Message"] == message
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert response["ResponseMetadata"]["RetryAttempts"] == 0, "botocore retried: the fixture's retries are on"


@pytest.mark.parametrize("status, name, _retryable", SCRIPTED_ERRORS)
def test_invoke_model_raises_the_scripted_error_class(sigv4_client, stand_in, status, name, _retryable):
    message = script_failure(stand_in, status, name)
    with pytest.raises(getattr(sigv4_client.exceptions, name)) as raised:
        sigv4_client.invoke_model(modelId=HAIKU, body=BODY, contentType="application/json")
    check_error(raised, status, name, message)
    assert raised.value.response["ResponseMetadata"]["HTTPHeaders"]["x-tollgate-model"] == HAIKU
    assert stand_in.models_called() == [HAIKU]


@pytest.mark.parametrize("status, name, _retryable", SCRIPTED_ERRORS)
def test_converse_raises_the_scripted_error_class(sigv4_client, stand_in, status, name, _retryable):
    message = script_failure(stand_in, status, name)
    with pytest.raises(getattr(sigv4_client.exceptions, name)) as raised:
        sigv4_client.converse(modelId=HAIKU, messages=MESSAGES)
    check_error(raised, status, name, message)


@pytest.mark.parametrize("status, name", [(429, "ThrottlingException"), (400, "ValidationException"),
                                          (503, "ServiceUnavailableException")])
def test_streaming_calls_raise_the_scripted_error_class_before_the_stream(sigv4_client, stand_in, status, name):
    message = script_failure(stand_in, status, name)
    with pytest.raises(getattr(sigv4_client.exceptions, name)) as raised:
        sigv4_client.invoke_model_with_response_stream(modelId=HAIKU, body=BODY, contentType="application/json")
    check_error(raised, status, name, message)
    with pytest.raises(getattr(sigv4_client.exceptions, name)) as raised:
        sigv4_client.converse_stream(modelId=HAIKU, messages=MESSAGES)
    check_error(raised, status, name, message)


@pytest.mark.parametrize("status, name, retryable", [
    case
    for case in SCRIPTED_ERRORS
])
def test_failure_on_every_hop_of_a_chain_ends_with_the_scripted_class(sigv4_client, stand_in, status, name,
                                                                      retryable):
    message = script_failure(stand_in, status, name)
    with pytest.raises(getattr(sigv4_client.exceptions, name)) as raised:
        sigv4_client.invoke_model(modelId=SONNET_4, body=BODY, contentType="application/json")
    check_error(raised, status, name, message)
    # Retryable failures walk the whole chain; client errors stop at the first model.
    assert stand_in.models_called() == (SONNET_4_CHAIN if retryable else [SONNET_4])
    assert raised.value.response["ResponseMetadata"]["HTTPHeaders"]["x-tollgate-model"] == \
        (HAIKU if retryable else SONNET_4)


def test_unknown_model_is_resource_not_found_from_tollgate_itself(sigv4_client, stand_in):
    with pytest.raises(sigv4_client.exceptions.ResourceNotFoundException) as raised:
        sigv4_client.invoke_model(modelId="anthropic.claude-does-not-exist-v1:0", body=BODY,
                                  contentType="application/json")
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert stand_in.calls() == [], "an unknown model never reaches the upstream"


def test_streaming_on_a_model_without_streaming_is_a_validation_error(sigv4_client, stand_in):
    with pytest.raises(sigv4_client.exceptions.ValidationException) as raised:
        sigv4_client.invoke_model_with_response_stream(modelId="amazon.titan-embed-text-v2:0",
                                                       body=b'{"inputText":"Hi"}', contentType="application/json")
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert stand_in.calls() == []
