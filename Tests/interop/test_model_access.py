"""Which models a caller may reach, as boto3 sees it: an org-restricted model answers its own org and is, for
anyone else, exactly as "not found" as a model that does not exist or is disabled (the same 404 body).
"""

import json

import pytest

from conftest import ACME_CLIENT_KEY

ACME_EU = "acme/claude-sonnet-4-eu"  # org_slugs ["acme"]; upstream id eu.anthropic.claude-sonnet-4-20250514-v1:0
ACME_EU_UPSTREAM = "eu.anthropic.claude-sonnet-4-20250514-v1:0"
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
BODY = json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 16,
                   "messages": [{"role": "user", "content": "Hi"}]}).encode()
MESSAGES = [{"role": "user", "content": [{"text": "Hi"}]}]


@pytest.fixture
def acme_client(clients):
    """A client with the Acme org's Bedrock API key (added to the temporary keys file by the fixture)."""
    return clients.bearer(ACME_CLIENT_KEY)


def not_found(client, model_id):
    with pytest.raises(client.exceptions.ResourceNotFoundException) as raised:
        client.invoke_model(modelId=model_id, body=BODY, contentType="application/json")
    response = raised.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 404
    return response["Error"]


def test_restricted_model_answers_its_org(acme_client, stand_in):
    answer = acme_client.invoke_model(modelId=ACME_EU, body=BODY, contentType="application/json")
    assert answer["ResponseMetadata"]["HTTPHeaders"]["x-tollgate-model"] == ACME_EU
    assert json.loads(answer["body"].read())["model"] == ACME_EU_UPSTREAM
    answer = acme_client.converse(modelId=ACME_EU, messages=MESSAGES)
    assert answer["ResponseMetadata"]["HTTPHeaders"]["x-tollgate-model"] == ACME_EU
    assert stand_in.models_called() == [ACME_EU_UPSTREAM]


@pytest.mark.parametrize("client_fixture", ["sigv4_client", "bearer_client"])
def test_restricted_model_is_not_found_for_another_org_like_an_unknown_one(request, stand_in, client_fixture):
    client = request.getfixturevalue(client_fixture)
    restricted = not_found(client, ACME_EU)
    unknown = not_found(client, "acme/claude-sonnet-4-nowhere")
    disabled = not_found(client, "amazon.titan-text-lite-v1")  # enabled: false in the shipped catalogue
    assert restricted == unknown == disabled, "a caller must not learn which models exist"
    assert ACME_EU not in restricted["Message"]
    assert stand_in.calls() == []


def test_restricted_model_is_not_found_for_another_org_on_every_operation(sigv4_client, stand_in):
    client = sigv4_client
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.converse(modelId=ACME_EU, messages=MESSAGES)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.converse_stream(modelId=ACME_EU, messages=MESSAGES)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.invoke_model_with_response_stream(modelId=ACME_EU, body=BODY, contentType="application/json")
    assert stand_in.calls() == []


def test_open_models_answer_every_org(acme_client, sigv4_client):
    for client in (acme_client, sigv4_client):
        answer = client.invoke_model(modelId=HAIKU, body=BODY, contentType="application/json")
        assert answer["ResponseMetadata"]["HTTPHeaders"]["x-tollgate-model"] == HAIKU


def test_alias_routes_to_its_model(sigv4_client, stand_in):
    # `claude-3-haiku` is an alias in the shipped catalogue: the canonical id answers.
    answer = sigv4_client.converse(modelId="claude-3-haiku", messages=MESSAGES)
    assert answer["ResponseMetadata"]["HTTPHeaders"]["x-tollgate-model"] == HAIKU
    assert stand_in.models_called() == [HAIKU]
