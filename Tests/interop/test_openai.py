"""The `openai` Python SDK against Tollgate's OpenAI-compatible face, with no change but `base_url` and `api_key`:
plain and streamed chat completions, a tool call and the tool-result turn, the models list, and each error class.

Every completion model of the catalogue answers, Claude included (Bedrock's own Chat Completions endpoint serves
only open-weight models): the face translates to Converse. A model the catalogue marks `api: chat_completions`
(gpt-oss) goes to Bedrock's own endpoint with the request as the SDK sent it.
"""

from __future__ import annotations

import openai
import pytest

from conftest import DEMO_CLIENT_KEY

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
GPT_OSS = "openai.gpt-oss-120b-1:0"
TOOLS = [{"type": "function", "function": {"name": "lookup", "description": "Looks a word up",
                                           "parameters": {"type": "object", "properties": {"query": {"type": "string"}}}}}]


@pytest.fixture
def client(tollgate):
    made = openai.OpenAI(base_url=tollgate.gateway + "/openai/v1", api_key=DEMO_CLIENT_KEY, max_retries=0, timeout=30)
    yield made
    made.close()


def test_chat_completion(client, stand_in):
    answer = client.chat.completions.create(model=HAIKU, messages=[{"role": "system", "content": "Be brief."},
                                                                   {"role": "user", "content": "Hello"}], max_tokens=32)
    assert answer.object == "chat.completion"
    assert answer.model == HAIKU
    assert answer.choices[0].message.content
    assert answer.choices[0].finish_reason == "stop"
    assert answer.usage.prompt_tokens > 0 and answer.usage.completion_tokens > 0
    assert [c["model"] for c in stand_in.calls()] == [HAIKU]


def test_streamed_chat_completion_with_usage(client):
    chunks = list(client.chat.completions.create(model=HAIKU, messages=[{"role": "user", "content": "Hello"}], stream=True,
                                                 stream_options={"include_usage": True}))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == ["stop"]
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0


def test_tool_call_and_tool_result_turn(client):
    messages = [{"role": "user", "content": "What does standin mean?"}]
    first = client.chat.completions.create(model=HAIKU, messages=messages, tools=TOOLS)
    assert first.choices[0].finish_reason == "tool_calls"
    call = first.choices[0].message.tool_calls[0]
    assert call.function.name == "lookup"
    messages.append(first.choices[0].message.model_dump(exclude_none=True))
    messages.append({"role": "tool", "tool_call_id": call.id, "content": "a stand-in answers for Bedrock in tests"})
    second = client.chat.completions.create(model=HAIKU, messages=messages, tools=TOOLS)
    assert second.choices[0].finish_reason == "stop"
    assert second.choices[0].message.content


def test_native_chat_completions_plain_and_streamed(client, stand_in):
    answer = client.chat.completions.create(model=GPT_OSS, messages=[{"role": "user", "content": "Hello"}],
                                            reasoning_effort="low", max_completion_tokens=64)
    assert answer.object == "chat.completion"
    assert answer.choices[0].message.content
    assert answer.usage.prompt_tokens > 0 and answer.usage.completion_tokens > 0
    chunks = list(client.chat.completions.create(model=GPT_OSS, messages=[{"role": "user", "content": "Hello"}], stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == answer.choices[0].message.content
    assert all(c.choices for c in chunks), "no usage chunk the SDK did not ask for"
    assert [c["operation"] for c in stand_in.calls()] == ["chat-completions", "chat-completions-stream"]


def test_models_list(client):
    ids = {m.id for m in client.models.list()}
    assert HAIKU in ids
    assert client.models.retrieve(HAIKU).id == HAIKU


def test_error_classes(client, tollgate):
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="no-such-model", messages=[{"role": "user", "content": "x"}])
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model=HAIKU, messages=[{"role": "user", "content": "x"}], n=2)
    stranger = openai.OpenAI(base_url=tollgate.gateway + "/openai/v1", api_key="tg-not-a-key-0123456789abcdef", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        stranger.chat.completions.create(model=HAIKU, messages=[{"role": "user", "content": "x"}])
    stranger.close()


def test_embeddings(client):
    """The SDK asks for base64 by default and decodes it: the vectors come back as floats either way."""
    answer = client.embeddings.create(model="amazon.titan-embed-text-v2:0", input="hello")
    assert len(answer.data) == 1
    assert len(answer.data[0].embedding) == 8
    assert all(isinstance(x, float) for x in answer.data[0].embedding)
    assert answer.usage.prompt_tokens > 0
    floats = client.embeddings.create(model="amazon.titan-embed-text-v2:0", input="hello", encoding_format="float")
    assert floats.data[0].embedding == pytest.approx(answer.data[0].embedding, rel=1e-6)
