# Generates Tests/AWSTests/Fixtures/bedrock-sigv4/cases.json: Bedrock-shaped SigV4 cases signed by botocore
# (the reference SigV4 implementation boto3 uses), so our signer and verifier are checked against it.
# Run: python3 generate.py > cases.json   (needs botocore; time is pinned to 2024-05-01T12:00:00Z)
import datetime, json
from unittest import mock
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

fixed = datetime.datetime(2024, 5, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)
out = []
def case(name, path, body, creds, extra_headers, region="us-east-1"):
    url = "https://bedrock-runtime.%s.amazonaws.com%s" % (region, path)
    headers = {"Content-Type": "application/json", "Accept": "application/json",
               "User-Agent": "Boto3/1.34.0 md/Botocore#1.34.0"}
    headers.update(extra_headers)
    req = AWSRequest(method="POST", url=url, data=body, headers=headers)
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=fixed):
        auth = botocore.auth.SigV4Auth(creds, "bedrock", region)
        req.context["timestamp"] = fixed.strftime("%Y%m%dT%H%M%SZ")
        if creds.token:
            req.headers["X-Amz-Security-Token"] = creds.token
        req.headers["X-Amz-Date"] = req.context["timestamp"]
        cr = auth.canonical_request(req)
        del req.headers["X-Amz-Date"]
        if creds.token:
            del req.headers["X-Amz-Security-Token"]
        auth.add_auth(req)
    out.append({"name": name, "path": path, "body": body, "region": region, "service": "bedrock",
                "timestamp": "20240501T120000Z", "access_key_id": creds.access_key,
                "secret_access_key": creds.secret_key, "token": creds.token,
                "host": "bedrock-runtime.%s.amazonaws.com" % region,
                "request_headers": [[k, v] for k, v in headers.items()],
                "canonical_request": cr,
                "signed": [[k, v] for k, v in req.headers.items()]})

plain = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
session = Credentials("ASIAEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "IQoJb3JpZ2luX2VjEXAMPLE/token+with=chars")
case("model-id-with-colon", "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke",
     '{"anthropic_version":"bedrock-2023-05-31","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}', plain, {})
case("inference-profile-arn", "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse-stream",
     '{"messages":[{"role":"user","content":[{"text":"hi"}]}]}', plain, {})
case("session-token-stream", "/model/amazon.titan-text-express-v1/invoke-with-response-stream",
     '{"inputText":"Hello world"}', session, {"X-Amzn-Bedrock-Accept": "*/*"}, region="eu-west-1")
print(json.dumps(out, indent=1, sort_keys=True))
