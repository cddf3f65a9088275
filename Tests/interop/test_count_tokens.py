"""CountTokens through boto3's `bedrock-runtime` client (langchain-aws and strands call it for token counting):
forwarded like every runtime call, never failed over, the same 404 for a model the caller may not use.

Uses the session fixtures of conftest.py: `sigv4_client` signs with the demo SigV4 pair (org `demo`).
"""

import json

import pytest
from botocore.exceptions import ClientError

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
ACME_EU = "acme/claude-sonnet-4-eu"  # org_slugs ["acme"]


def test_count_tokens_for_converse_and_invoke_inputs(sigv4_client):
    messages = [{"role": "user", "content": [{"text": "How many tokens is this sentence?"}]}]
    converse = sigv4_client.count_tokens(modelId=HAIKU, input={"converse": {"messages": messages}})
    assert isinstance(converse["inputTokens"], int) and converse["inputTokens"] > 0
    body = json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 16,
                       "messages": [{"role": "user", "content": "How many tokens is this sentence?"}]})
    invoke = sigv4_client.count_tokens(modelId=HAIKU, input={"invokeModel": {"body": body}})
    assert invoke["inputTokens"] == (len(body.encode()) + 3) // 4


def test_count_tokens_on_a_model_of_another_org_is_not_found(sigv4_client):
    with pytest.raises(ClientError) as error:
        sigv4_client.count_tokens(modelId=ACME_EU, input={"converse": {"messages": [
            {"role": "user", "content": [{"text": "Hi"}]}]}})
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"
