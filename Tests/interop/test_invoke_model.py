"""`InvokeModel` through Tollgate with boto3: each model family's body and Bedrock's token headers arrive as the
stand-in sent them, and binary answers (`image/png`) pass through unchanged.
"""

import json

import pytest

from conftest import STAND_IN_ACCESS_KEY_ID

#: The stand-in's fixed answer (StandInTokens.reply): 9 words, so 9 output tokens.
REPLY_TEXT = "Hello from the Tollgate stand-in. This answer is deterministic."
REPLY_TOKENS = 9


def input_tokens(body: bytes) -> int:
    """The stand-in's deterministic input count: one token per started 4 bytes of the request body."""
    return max(1, (len(body) + 3) // 4)


def invoke(client, model_id: str, body: dict, **kwargs):
    raw = json.dumps(body).encode()
    answer = client.invoke_model(modelId=model_id, body=raw, contentType="application/json", **kwargs)
    return raw, answer, answer["ResponseMetadata"]["HTTPHeaders"]


def test_anthropic_messages_body_and_token_headers(sigv4_client, stand_in):
    model = "anthropic.claude-3-haiku-20240307-v1:0"
    raw, answer, headers = invoke(sigv4_client, model, {
        "anthropic_version": "bedrock-2023-05-31", "max_tokens": 64,
        "messages": [{"role": "user", "content": "Hello"}],
    })
    body = json.loads(answer["body"].read())
    assert answer["contentType"] == "application/json"
    assert body["type"] == "message" and body["role"] == "assistant" and body["model"] == model
    assert body["content"] == [{"type": "text", "text": REPLY_TEXT}]
    assert body["usage"] == {"input_tokens": input_tokens(raw), "output_tokens": REPLY_TOKENS}
    assert headers["x-amzn-bedrock-input-token-count"] == str(input_tokens(raw))
    assert headers["x-amzn-bedrock-output-token-count"] == str(REPLY_TOKENS)
    assert "x-amzn-bedrock-invocation-latency" in headers
    # Tollgate re-signed the call with its own upstream pair: the client's signature never reached the stand-in.
    [call] = stand_in.calls()
    assert (call["operation"], call["model"], call["principal"]) == ("invoke", model, STAND_IN_ACCESS_KEY_ID)
    assert call["body_bytes"] == len(raw)


def test_titan_text_body_and_token_headers(sigv4_client):
    raw, answer, headers = invoke(sigv4_client, "amazon.titan-text-express-v1", {
        "inputText": "Hello", "textGenerationConfig": {"maxTokenCount": 64},
    })
    body = json.loads(answer["body"].read())
    assert body["inputTextTokenCount"] == input_tokens(raw)
    assert body["results"] == [{"tokenCount": REPLY_TOKENS, "outputText": REPLY_TEXT, "completionReason": "FINISH"}]
    assert headers["x-amzn-bedrock-input-token-count"] == str(input_tokens(raw))
    assert headers["x-amzn-bedrock-output-token-count"] == str(REPLY_TOKENS)


def test_titan_embeddings_body_and_input_token_header(sigv4_client):
    raw, answer, headers = invoke(sigv4_client, "amazon.titan-embed-text-v2:0", {"inputText": "Hello"})
    body = json.loads(answer["body"].read())
    assert body["inputTextTokenCount"] == input_tokens(raw)
    assert len(body["embedding"]) == 8 and all(isinstance(x, float) for x in body["embedding"])
    assert headers["x-amzn-bedrock-input-token-count"] == str(input_tokens(raw))
    # Embeddings produce no output tokens, and Bedrock sends no output count for them.
    assert "x-amzn-bedrock-output-token-count" not in headers


def test_llama_body_and_token_headers(sigv4_client):
    raw, answer, headers = invoke(sigv4_client, "meta.llama3-8b-instruct-v1:0", {
        "prompt": "<|begin_of_text|>Hello", "max_gen_len": 64,
    })
    body = json.loads(answer["body"].read())
    assert body == {"generation": REPLY_TEXT, "prompt_token_count": input_tokens(raw),
                    "generation_token_count": REPLY_TOKENS, "stop_reason": "stop"}
    assert headers["x-amzn-bedrock-input-token-count"] == str(input_tokens(raw))
    assert headers["x-amzn-bedrock-output-token-count"] == str(REPLY_TOKENS)


def test_image_model_returns_png_bytes_for_accept_image_png(sigv4_client, stand_in):
    _, answer, headers = invoke(sigv4_client, "stability.sd3-large-v1:0", {"prompt": "a lighthouse at dusk"},
                                accept="image/png")
    png = answer["body"].read()
    assert answer["contentType"] == "image/png"
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and png.endswith(b"IEND\xaeB`\x82")
    assert int(headers["content-length"]) == len(png)
    [call] = stand_in.calls()
    assert call["model"] == "stability.sd3-large-v1:0"


@pytest.mark.parametrize("model", [
    "anthropic.claude-3-haiku-20240307-v1:0",  # ':' in the id: %3A on the wire
    "us.anthropic.claude-sonnet-4-20250514-v1:0",  # a cross-region inference-profile id
])
def test_x_tollgate_model_names_the_model_that_answered(sigv4_client, model):
    _, answer, headers = invoke(sigv4_client, model, {
        "anthropic_version": "bedrock-2023-05-31", "max_tokens": 16, "messages": [{"role": "user", "content": "Hi"}],
    })
    assert json.loads(answer["body"].read())["model"] == model
    assert headers["x-tollgate-model"] == model
    assert headers["x-tollgate-attempts"] == "1"


def test_large_request_and_answer_bodies(sigv4_client, stand_in):
    # 3 MB up, 6 MB down: more than any socket buffer, so both relays run with backpressure.
    stand_in.script({"operation": "invoke", "reply_bytes": 6_000_000})
    prompt = "word " * 600_000
    raw, answer, headers = invoke(sigv4_client, "anthropic.claude-3-haiku-20240307-v1:0", {
        "anthropic_version": "bedrock-2023-05-31", "max_tokens": 64, "messages": [{"role": "user", "content": prompt}],
    })
    body = answer["body"].read()
    assert int(headers["content-length"]) == len(body)
    text = json.loads(body)["content"][0]["text"]
    assert len(text) == 6_000_000 and text.startswith("x" * 1023 + " x")
    [call] = stand_in.calls()
    assert call["body_bytes"] == len(raw) > 3_000_000
