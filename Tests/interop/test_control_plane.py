"""boto3's `bedrock` (control-plane) client through Tollgate: ListFoundationModels and GetFoundationModel served
from the catalogue, showing only what the caller's organisation may use (`enabled` and `org_slugs`).

Uses the session fixture `tollgate` from conftest.py (a running `tollgate demo` on port 0 from a temporary copy of
`config/`; `tollgate.gateway` is its base URL) and the shipped demo keys: the SigV4 pair of org `demo` and the
demo admin key.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"
REGION = "us-east-1"
ACCESS_KEY_ID = "TGDEMOACCESSKEY0001"  # config/keys.json: demo-sigv4, org demo
SECRET = (CONFIG_DIR / "demo-sigv4.secret").read_text().strip()
ADMIN_KEY = "tg-demo-admin-key-0123456789abcdef"  # config/keys.json: demo-admin

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
ACME_EU = "acme/claude-sonnet-4-eu"  # org_slugs ["acme"]
DISABLED = "amazon.titan-text-lite-v1"  # enabled: false
EMBEDDINGS = {"amazon.titan-embed-text-v2:0", "cohere.embed-english-v3", "cohere.embed-multilingual-v3"}

#: Every answer exactly as Tollgate gave it: no botocore retries.
NO_RETRIES = {"total_max_attempts": 1, "mode": "standard"}


def bedrock_client(gateway: str, secret: str = SECRET) -> Any:
    session = boto3.session.Session(aws_access_key_id=ACCESS_KEY_ID, aws_secret_access_key=secret,
                                    region_name=REGION)
    return session.client("bedrock", endpoint_url=gateway,
                          config=Config(retries=dict(NO_RETRIES), connect_timeout=5, read_timeout=30))


@pytest.fixture
def bedrock(tollgate) -> Iterator[Any]:
    """A `bedrock` client signing with the demo SigV4 pair (org `demo`)."""
    client = bedrock_client(tollgate.gateway)
    yield client
    client.close()


def shipped_models() -> list[dict[str, Any]]:
    return json.loads((CONFIG_DIR / "catalogue.json").read_text())["models"]


def resolved(model: dict[str, Any], field: str, models: dict[str, dict[str, Any]]) -> Any:
    """`field` of `model`, inherited through `base_model` as the catalogue does."""
    seen = set()
    while model is not None and model["id"] not in seen:
        if field in model:
            return model[field]
        seen.add(model["id"])
        model = models.get(model.get("base_model", ""))
    return None


def expected_for_org(org: str) -> list[str]:
    """Ids the shipped catalogue lets `org` use: enabled, unrestricted or listing `org`, not custom models."""
    models = {m["id"]: m for m in shipped_models()}
    ids = []
    for model in models.values():
        if resolved(model, "enabled", models) is False:
            continue
        slugs = resolved(model, "org_slugs", models) or []
        if slugs and org not in slugs:
            continue
        upstream = (resolved(model, "provider_config", models) or {}).get("model_id", "")
        if ":custom-model/" in upstream:
            continue
        ids.append(model["id"])
    return sorted(ids, key=lambda s: s.encode())


def admin_get(gateway: str, path: str) -> tuple[int, Any]:
    request = urllib.request.Request(gateway + path, headers={"Authorization": f"Bearer {ADMIN_KEY}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def ids(summaries: list[dict[str, Any]]) -> list[str]:
    return [summary["modelId"] for summary in summaries]


def test_list_foundation_models_lists_what_the_org_may_use(bedrock):
    answer = bedrock.list_foundation_models()
    summaries = answer["modelSummaries"]
    assert ids(summaries) == expected_for_org("demo")
    assert HAIKU in ids(summaries)
    assert ACME_EU not in ids(summaries), "restricted to org acme"
    assert DISABLED not in ids(summaries), "disabled"
    haiku = next(s for s in summaries if s["modelId"] == HAIKU)
    assert haiku["modelArn"] == f"arn:aws:bedrock:us-east-1::foundation-model/{HAIKU}"
    assert haiku["modelName"] == "Claude 3 Haiku"
    assert haiku["providerName"] == "Anthropic"
    assert haiku["inputModalities"] == ["TEXT", "IMAGE"]
    assert haiku["outputModalities"] == ["TEXT"]
    assert haiku["responseStreamingSupported"] is True
    assert haiku["inferenceTypesSupported"] == ["ON_DEMAND"]
    assert haiku["modelLifecycle"] == {"status": "ACTIVE"}


def test_list_foundation_models_filters(bedrock):
    everything = ids(bedrock.list_foundation_models()["modelSummaries"])

    anthropic = bedrock.list_foundation_models(byProvider="anthropic")["modelSummaries"]
    assert HAIKU in ids(anthropic)
    assert {s["providerName"] for s in anthropic} == {"Anthropic"}
    assert ids(anthropic) == [i for i in everything if i in ids(anthropic)], "same order as unfiltered"

    embeddings = bedrock.list_foundation_models(byOutputModality="EMBEDDING")["modelSummaries"]
    assert set(ids(embeddings)) == EMBEDDINGS
    assert all(s["outputModalities"] == ["EMBEDDING"] for s in embeddings)

    assert ids(bedrock.list_foundation_models(byInferenceType="ON_DEMAND")["modelSummaries"]) == everything
    assert bedrock.list_foundation_models(byInferenceType="PROVISIONED")["modelSummaries"] == []
    assert bedrock.list_foundation_models(byCustomizationType="FINE_TUNING")["modelSummaries"] == []
    both = bedrock.list_foundation_models(byProvider="Amazon", byOutputModality="TEXT")["modelSummaries"]
    assert both and all(s["providerName"] == "Amazon" and "TEXT" in s["outputModalities"] for s in both)


def test_invalid_filter_is_a_validation_exception(bedrock):
    with pytest.raises(bedrock.exceptions.ValidationException) as raised:
        bedrock.list_foundation_models(byOutputModality="SMELL")
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "byOutputModality" in raised.value.response["Error"]["Message"]


def test_get_foundation_model_by_id_and_by_arn(bedrock):
    details = bedrock.get_foundation_model(modelIdentifier=HAIKU)["modelDetails"]
    assert details["modelId"] == HAIKU
    assert details["providerName"] == "Anthropic"
    assert details["responseStreamingSupported"] is True
    arn = f"arn:aws:bedrock:us-east-1::foundation-model/{HAIKU}"
    assert bedrock.get_foundation_model(modelIdentifier=arn)["modelDetails"] == details


def test_restricted_model_is_invisible_to_another_org(bedrock, tollgate):
    # It exists: the admin API shows it.
    status, document = admin_get(tollgate.gateway, "/v1/models/" + urllib.parse.quote(ACME_EU, safe=""))
    assert status == 200 and document["org_slugs"] == ["acme"]
    # Org demo cannot see it, and cannot tell it from a model that does not exist or is disabled.
    assert ACME_EU not in ids(bedrock.list_foundation_models()["modelSummaries"])
    codes = []
    for model_id in (ACME_EU, "acme/claude-sonnet-4-nowhere", DISABLED):
        with pytest.raises(bedrock.exceptions.ResourceNotFoundException) as raised:
            bedrock.get_foundation_model(modelIdentifier=model_id)
        response = raised.value.response
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 404
        codes.append(response["Error"]["Code"])
    assert codes == ["ResourceNotFoundException"] * 3


def test_wrong_secret_is_refused(tollgate):
    client = bedrock_client(tollgate.gateway, secret="not-the-secret")
    try:
        with pytest.raises(ClientError) as raised:
            client.list_foundation_models()
        assert raised.value.response["Error"]["Code"] == "InvalidSignatureException"
        assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    finally:
        client.close()


def test_listing_follows_a_catalogue_change(bedrock, tollgate):
    """An admin PATCH opening the restricted model to everyone shows in the next listing (cache dropped), and
    closing it again hides it."""
    path = "/v1/models/" + urllib.parse.quote(ACME_EU, safe="")

    def patch(body: dict[str, Any]) -> int:
        request = urllib.request.Request(tollgate.gateway + path, data=json.dumps(body).encode(), method="PATCH",
                                         headers={"Authorization": f"Bearer {ADMIN_KEY}",
                                                  "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status

    assert ACME_EU not in ids(bedrock.list_foundation_models()["modelSummaries"])
    assert patch({"org_slugs": []}) == 200
    try:
        assert ACME_EU in ids(bedrock.list_foundation_models()["modelSummaries"])
        assert bedrock.get_foundation_model(modelIdentifier=ACME_EU)["modelDetails"]["modelId"] == ACME_EU
    finally:
        assert patch({"org_slugs": ["acme"]}) == 200
    assert ACME_EU not in ids(bedrock.list_foundation_models()["modelSummaries"])


US_PROFILE = "us.anthropic.claude-sonnet-4-20250514-v1:0"  # a catalogue id that is a system-defined profile id
EU_PROFILE = "eu.anthropic.claude-sonnet-4-20250514-v1:0"  # the upstream id of ACME_EU (org acme only)


def test_inference_profiles_list_and_get_through_boto3(bedrock):
    """ListInferenceProfiles / GetInferenceProfile, as langchain-aws calls them to find a profile's base model."""
    summaries = bedrock.list_inference_profiles()["inferenceProfileSummaries"]
    ids = {p["inferenceProfileId"] for p in summaries}
    assert US_PROFILE in ids
    assert EU_PROFILE not in ids, "a profile of another org's model is not listed"
    profile = bedrock.get_inference_profile(inferenceProfileIdentifier=US_PROFILE)
    assert profile["type"] == "SYSTEM_DEFINED"
    assert profile["status"] == "ACTIVE"
    assert profile["inferenceProfileArn"].endswith(":inference-profile/" + US_PROFILE)
    assert [m["modelArn"].split("/", 1)[1] for m in profile["models"]] == ["anthropic.claude-sonnet-4-20250514-v1:0"]
    with pytest.raises(ClientError) as hidden:
        bedrock.get_inference_profile(inferenceProfileIdentifier=EU_PROFILE)
    assert hidden.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as missing:
        bedrock.get_inference_profile(inferenceProfileIdentifier=HAIKU)
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException", "a plain model is no profile"


def test_inference_profiles_page_and_filter(bedrock):
    first = bedrock.list_inference_profiles(maxResults=1, typeEquals="SYSTEM_DEFINED")
    assert len(first["inferenceProfileSummaries"]) == 1
    assert all(p["type"] == "SYSTEM_DEFINED" for p in first["inferenceProfileSummaries"])
    assert bedrock.list_inference_profiles(typeEquals="APPLICATION")["inferenceProfileSummaries"] == []
    with pytest.raises(ClientError) as invalid:
        bedrock.list_inference_profiles(maxResults=1001)
    assert invalid.value.response["Error"]["Code"] == "ValidationException"


def admin_write(gateway: str, method: str, path: str, body: dict[str, Any]) -> int:
    request = urllib.request.Request(gateway + path, data=json.dumps(body).encode(), method=method,
                                     headers={"Authorization": f"Bearer {ADMIN_KEY}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_custom_models_page_through_boto3s_paginator(tollgate, bedrock):
    """ListCustomModels pages as botocore's paginator expects (maxResults, nextToken), and refuses a bad maxResults."""
    names = [f"interop/tuned-{i}" for i in range(3)]
    for i, name in enumerate(names):
        arn = f"arn:aws:bedrock:us-east-1:123456789012:custom-model/amazon.titan-text-express-v1:0:8k/{'abcdefghijk'}{i}"
        status = admin_write(tollgate.gateway, "POST", "/v1/models", {
            "id": name, "type": "completion",
            "provider_config": {"provider": "bedrock", "model_id": arn, "region": "us-east-1"}})
        assert status == 201
    try:
        pages = list(bedrock.get_paginator("list_custom_models").paginate(PaginationConfig={"PageSize": 2}))
        assert [len(p["modelSummaries"]) for p in pages] == [2, 1]
        assert [s["modelName"] for p in pages for s in p["modelSummaries"]] == names
        with pytest.raises(ClientError) as invalid:
            bedrock.list_custom_models(maxResults=1001)
        assert invalid.value.response["Error"]["Code"] == "ValidationException"
    finally:
        for name in names:
            admin_write(tollgate.gateway, "DELETE", f"/v1/models/{name}", {})
