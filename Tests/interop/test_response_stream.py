"""`InvokeModelWithResponseStream` through Tollgate with boto3: chunk events decoded by botocore's eventstream
parser, relayed frame by frame, ending with `amazon-bedrock-invocationMetrics`; an exception frame after some
chunks surfaces as botocore's `EventStreamError` while iterating (never a silently truncated 200).
"""

import json

import pytest
from botocore.exceptions import EventStreamError

ANTHROPIC = "anthropic.claude-3-haiku-20240307-v1:0"
ANTHROPIC_BODY = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 64,
                  "messages": [{"role": "user", "content": "Hello"}]}
REPLY_TEXT = "Hello from the Tollgate stand-in. This answer is deterministic."


def stream(client, model_id: str, body: dict):
    raw = json.dumps(body).encode()
    answer = client.invoke_model_with_response_stream(modelId=model_id, body=raw, contentType="application/json")
    return raw, answer


def chunks(answer) -> list[dict]:
    """Every event, checked to be a chunk, with its bytes decoded as JSON."""
    out = []
    for event in answer["body"]:
        assert list(event) == ["chunk"], event
        out.append(json.loads(event["chunk"]["bytes"]))
    return out


def test_anthropic_stream_arrives_as_chunks_ending_with_invocation_metrics(sigv4_client, stand_in):
    raw, answer = stream(sigv4_client, ANTHROPIC, ANTHROPIC_BODY)
    assert answer["contentType"] == "application/json"
    payloads = chunks(answer)
    kinds = [p["type"] for p in payloads]
    assert kinds[:2] == ["message_start", "content_block_start"]
    assert kinds[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    assert len(payloads) == 2 + 9 + 3, "one delta per word"
    text = "".join(p["delta"]["text"] for p in payloads if p["type"] == "content_block_delta")
    assert text == REPLY_TEXT
    metrics = payloads[-1]["amazon-bedrock-invocationMetrics"]
    assert metrics["inputTokenCount"] == (len(raw) + 3) // 4
    assert metrics["outputTokenCount"] == 9
    assert all("amazon-bedrock-invocationMetrics" not in p for p in payloads[:-1])
    assert stand_in.stats()["completed_streams"] == 1


@pytest.mark.parametrize("model, body, text_of", [
    ("amazon.titan-text-express-v1", {"inputText": "Hello", "textGenerationConfig": {"maxTokenCount": 64}},
     lambda p: p["outputText"]),
    ("meta.llama3-8b-instruct-v1:0", {"prompt": "Hello", "max_gen_len": 64}, lambda p: p["generation"]),
])
def test_other_families_stream_chunks_ending_with_invocation_metrics(sigv4_client, model, body, text_of):
    _, answer = stream(sigv4_client, model, body)
    payloads = chunks(answer)
    assert len(payloads) == 9
    assert "".join(text_of(p) for p in payloads) == REPLY_TEXT
    assert "amazon-bedrock-invocationMetrics" in payloads[-1]
    assert all("amazon-bedrock-invocationMetrics" not in p for p in payloads[:-1])


def test_stream_is_relayed_while_the_upstream_is_still_sending(sigv4_client, stand_in):
    # The stand-in waits 100 ms between frames (13 gaps, 1.3 s). A relay that buffered the answer would hand
    # boto3 its first event only after the stand-in finished the stream.
    stand_in.script({"operation": "invoke-with-response-stream", "drip_ms": 100})
    _, answer = stream(sigv4_client, ANTHROPIC, ANTHROPIC_BODY)
    events = iter(answer["body"])
    first = json.loads(next(events)["chunk"]["bytes"])
    assert first["type"] == "message_start"
    assert stand_in.stats()["completed_streams"] == 0, "the first event came only after the whole stream"
    rest = [json.loads(e["chunk"]["bytes"]) for e in events]
    assert rest[-1]["type"] == "message_stop"
    assert stand_in.stats()["completed_streams"] == 1


@pytest.mark.parametrize("error_type, code", [
    (None, "modelStreamErrorException"),  # the stand-in's default exception frame
    ("ThrottlingException", "throttlingException"),
])
def test_exception_frame_after_some_chunks_raises_while_iterating(sigv4_client, stand_in, error_type, code):
    rule = {"operation": "invoke-with-response-stream", "exception_after_frames": 4, "message": "boom mid-stream"}
    if error_type:
        rule["error_type"] = error_type
    stand_in.script(rule)
    _, answer = stream(sigv4_client, ANTHROPIC, ANTHROPIC_BODY)
    received = []
    with pytest.raises(EventStreamError) as raised:
        for event in answer["body"]:
            received.append(json.loads(event["chunk"]["bytes"]))
    assert [p["type"] for p in received] == ["message_start", "content_block_start",
                                             "content_block_delta", "content_block_delta"]
    error = raised.value.response["Error"]
    assert (error["Code"], error["Message"]) == (code, "boom mid-stream")
    # Streams fail over only before the first byte; after it the error is the client's to see.
    assert stand_in.models_called() == [ANTHROPIC]


def test_stream_fails_over_before_the_first_byte(sigv4_client, stand_in):
    sonnet_35 = "anthropic.claude-3-5-sonnet-20240620-v1:0"
    stand_in.script({"model": sonnet_35, "status": 503, "error_type": "ServiceUnavailableException"})
    _, answer = stream(sigv4_client, sonnet_35, ANTHROPIC_BODY)
    headers = answer["ResponseMetadata"]["HTTPHeaders"]
    payloads = chunks(answer)
    assert payloads[0]["message"]["model"] == ANTHROPIC, "the failover target answered"
    assert "amazon-bedrock-invocationMetrics" in payloads[-1]
    assert headers["x-tollgate-model"] == ANTHROPIC
    assert stand_in.models_called() == [sonnet_35, ANTHROPIC]
