"""ApplyGuardrail through boto3's `bedrock-runtime` client, on the guardrail the shipped config names
(`demo-guardrail`): applied, signed for the stand-in, and a guardrail that is not configured is not found.

Uses the session fixture `sigv4_client` of conftest.py (the demo SigV4 pair, org `demo`).
"""

import pytest
from botocore.exceptions import ClientError


def test_apply_guardrail_through_boto3(sigv4_client):
    answer = sigv4_client.apply_guardrail(guardrailIdentifier="demo-guardrail", guardrailVersion="1", source="INPUT",
                                          content=[{"text": {"text": "Is this allowed?"}}])
    assert answer["action"] == "NONE"
    assert answer["usage"]["topicPolicyUnits"] == 1
    blocked = sigv4_client.apply_guardrail(guardrailIdentifier="demo-guardrail", guardrailVersion="DRAFT",
                                           source="OUTPUT", content=[{"text": {"text": "BLOCKME"}}])
    assert blocked["action"] == "GUARDRAIL_INTERVENED"


def test_unconfigured_guardrail_is_not_found(sigv4_client):
    with pytest.raises(ClientError) as error:
        sigv4_client.apply_guardrail(guardrailIdentifier="gr-nowhere", guardrailVersion="1", source="INPUT",
                                     content=[{"text": {"text": "hi"}}])
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"
