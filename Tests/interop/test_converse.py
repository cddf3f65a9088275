"""`Converse` and `ConverseStream` through Tollgate with boto3: botocore parses the unified API's answer and every
stream event kind, with usage in the final metadata event (ConverseStreamMetadataEvent).
"""

import pytest
from botocore.exceptions import EventStreamError

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
NOVA_LITE = "amazon.nova-lite-v1:0"
REPLY_TEXT = "Hello from the Tollgate stand-in. This answer is deterministic."
MESSAGES = [{"role": "user", "content": [{"text": "Hello"}]}]


@pytest.mark.parametrize("model", [HAIKU, NOVA_LITE, "us.anthropic.claude-sonnet-4-20250514-v1:0"])
def test_converse_answer_and_usage(sigv4_client, stand_in, model):
    answer = sigv4_client.converse(modelId=model, messages=MESSAGES, inferenceConfig={"maxTokens": 64})
    assert answer["output"]["message"] == {"role": "assistant", "content": [{"text": REPLY_TEXT}]}
    assert answer["stopReason"] == "end_turn"
    usage = answer["usage"]
    assert usage["outputTokens"] == 9 and usage["inputTokens"] >= 1
    assert usage["totalTokens"] == usage["inputTokens"] + usage["outputTokens"]
    assert isinstance(answer["metrics"]["latencyMs"], int)
    assert answer["ResponseMetadata"]["HTTPHeaders"]["x-tollgate-model"] == model
    [call] = stand_in.calls()
    assert (call["operation"], call["model"]) == ("converse", model)


def test_converse_reports_cache_tokens(sigv4_client, stand_in):
    stand_in.script({"operation": "converse", "cache_read_tokens": 7, "cache_write_tokens": 3})
    usage = sigv4_client.converse(modelId=HAIKU, messages=MESSAGES)["usage"]
    assert (usage["cacheReadInputTokens"], usage["cacheWriteInputTokens"]) == (7, 3)
    assert usage["totalTokens"] == usage["inputTokens"] + usage["outputTokens"] + 10


def test_converse_stream_yields_every_event_kind_and_usage_metadata(sigv4_client, stand_in):
    answer = sigv4_client.converse_stream(modelId=HAIKU, messages=MESSAGES)
    events = list(answer["stream"])
    kinds = [next(iter(e)) for e in events]
    assert kinds[0] == "messageStart"
    assert kinds[-3:] == ["contentBlockStop", "messageStop", "metadata"]
    assert set(kinds[1:-3]) == {"contentBlockDelta"} and len(kinds[1:-3]) == 9
    assert events[0]["messageStart"] == {"role": "assistant"}
    text = "".join(e["contentBlockDelta"]["delta"]["text"] for e in events if "contentBlockDelta" in e)
    assert text == REPLY_TEXT
    assert all(e["contentBlockDelta"]["contentBlockIndex"] == 0 for e in events if "contentBlockDelta" in e)
    assert events[-2]["messageStop"]["stopReason"] == "end_turn"
    metadata = events[-1]["metadata"]
    assert metadata["usage"]["outputTokens"] == 9
    assert metadata["usage"]["totalTokens"] == metadata["usage"]["inputTokens"] + 9
    assert isinstance(metadata["metrics"]["latencyMs"], int)
    assert stand_in.stats()["completed_streams"] == 1


def test_converse_stream_exception_after_some_events_raises_while_iterating(sigv4_client, stand_in):
    stand_in.script({"operation": "converse-stream", "exception_after_frames": 3,
                     "error_type": "ModelStreamErrorException", "message": "model broke off"})
    answer = sigv4_client.converse_stream(modelId=HAIKU, messages=MESSAGES)
    kinds = []
    with pytest.raises(EventStreamError) as raised:
        for event in answer["stream"]:
            kinds.append(next(iter(event)))
    assert kinds == ["messageStart", "contentBlockDelta", "contentBlockDelta"]
    error = raised.value.response["Error"]
    assert (error["Code"], error["Message"]) == ("modelStreamErrorException", "model broke off")


def test_converse_on_an_embeddings_model_is_a_validation_error(sigv4_client, stand_in):
    client = sigv4_client
    with pytest.raises(client.exceptions.ValidationException):
        client.converse(modelId="amazon.titan-embed-text-v2:0", messages=MESSAGES)
    assert stand_in.calls() == [], "Tollgate answers this itself"
