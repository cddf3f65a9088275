import XCTest
import Support
@testable import Catalogue

final class ModelDocumentTests: XCTestCase {
    private func decode(_ text: String, _ mode: ModelDocument.ServerFields = .keep) throws -> ModelDocument {
        try ModelDocument(json: Fixtures.json(text), serverFields: mode)
    }

    func testFullDocumentRoundTrips() throws {
        let text = #"""
        {"id":"bedrock/anthropic.claude-3-haiku","aliases":["haiku"],"type":"completion",
         "display":{"label":"Haiku","brand":"Anthropic","hidden":false},"description":"fast",
         "capabilities":{"streaming":true,"vision":false},"limits":{"context_window":200000,"max_output_tokens":4096,"max_input_tokens":195000},
         "region":"us-east-1","metrics":{"p50.ms":{"ttft":300}},"tags":["fast","cheap"],
         "parameters":[{"name":"Temperature","parameter":"temperature","parameter_type":"number","config":{"min":0,"max":1}}],
         "enabled":true,"org_slugs":["acme"],"failover":"other","base_model":"base",
         "provider_config":{"provider":"bedrock","model_id":"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
           "region":"us-east-1","endpoint":"http://127.0.0.1:9911","credentials":"prod","assume_role_arn":"arn:aws:iam::123456789012:role/Bedrock","assume_role_external_id":"ext-1"},
         "pricing":{"currency":"USD","input":{"cost":0.25,"per":1000000,"unit":"tokens"},"output":{"cost":1.25,"per":1000000,"unit":"tokens"},
           "variants":[{"when":"input_tokens > 200000","input":{"cost":0.5,"per":1000000,"unit":"tokens"}}]},
         "created_at":"2025-01-01T00:00:00.000Z","updated_at":"2025-01-02T00:00:00.000Z","version":3}
        """#
        let doc = try decode(text)
        XCTAssertEqual(doc.id, "bedrock/anthropic.claude-3-haiku")
        XCTAssertEqual(doc.version, 3)
        XCTAssertEqual(doc.pricing?.base[.input]?.cost, Money("0.25"))
        XCTAssertEqual(doc.providerConfig?.upstreamKind, .foundationModelARN)
        XCTAssertEqual(doc.json, Fixtures.json(text))
        XCTAssertEqual(try ModelDocument(json: doc.json), doc)
    }

    func testShorthandPricesStoredInFullForm() throws {
        let doc = try decode(#"{"id":"m","input_cost":3,"output_cost":15,"cache_hit_input_cost":0.3,"cache_creation_input_cost":3.75}"#)
        XCTAssertEqual(doc.json["pricing"], Fixtures.json(#"""
        {"currency":"USD","input":{"cost":3,"per":1000000,"unit":"tokens"},"output":{"cost":15,"per":1000000,"unit":"tokens"},
         "cache_read":{"cost":0.3,"per":1000000,"unit":"tokens"},"cache_write_5m":{"cost":3.75,"per":1000000,"unit":"tokens"}}
        """#))
        XCTAssertNil(doc.json["input_cost"])
        let inside = try decode(#"{"id":"m","pricing":{"input_cost":0.000003}}"#)
        XCTAssertEqual(inside.pricing?.base[.input]?.cost, Money("0.000003"))
        XCTAssertEqual(inside.json["pricing"]?["input"]?["cost"]?.numberValue?.text, "0.000003")
    }

    func testServerFieldsIgnoredOnWrite() throws {
        let doc = try decode(#"{"id":"m","version":9,"created_at":"x","updated_at":"y"}"#, .ignore)
        XCTAssertEqual(doc.version, 1)
        XCTAssertNil(doc.createdAt)
    }

    func testValidationErrorsNameTheField() {
        let cases: [(String, String, String?)] = [
            (#"{"id":"m","colour":"red"}"#, "unknown_field", "colour"),
            (#"{"type":"completion"}"#, "missing_field", "id"),
            (#"{"id":""}"#, "invalid_value", "id"),
            (#"{"id":"\#(String(repeating: "a", count: 257))"}"#, "invalid_value", "id"),
            (#"{"id":"has space"}"#, "invalid_value", "id"),
            (#"{"id":"/leading"}"#, "invalid_value", "id"),
            (#"{"id":5}"#, "wrong_type", "id"),
            (#"{"id":"m","type":"chat"}"#, "invalid_value", "type"),
            (#"{"id":"m","display":{"label":"\#(String(repeating: "x", count: 129))"}}"#, "invalid_value", "display.label"),
            (#"{"id":"m","display":{"colour":1}}"#, "unknown_field", "display.colour"),
            (#"{"id":"m","capabilities":{"streaming":"yes"}}"#, "wrong_type", "capabilities.streaming"),
            (#"{"id":"m","limits":{"context_window":-1}}"#, "invalid_value", "limits.context_window"),
            (#"{"id":"m","limits":{"context_window":1.5}}"#, "wrong_type", "limits.context_window"),
            // The top-level region is free text ("Hosting region", `001_…`), up to 128 characters.
            (#"{"id":"m","region":"\#(String(repeating: "r", count: 129))"}"#, "invalid_value", "region"),
            (#"{"id":"m","region":5}"#, "wrong_type", "region"),
            (#"{"id":"m","dimensions":512,"supported_dimensions":[256,1024]}"#, "invalid_value", "dimensions"),
            (#"{"id":"m","supported_dimensions":[256,256]}"#, "invalid_value", "supported_dimensions[1]"),
            (#"{"id":"m","tags":["a",1]}"#, "wrong_type", "tags[1]"),
            (#"{"id":"m","org_slugs":["ok","bad slug"]}"#, "invalid_value", "org_slugs[1]"),
            (#"{"id":"m","enabled":"true"}"#, "wrong_type", "enabled"),
            (#"{"id":"m","failover":"m"}"#, "invalid_failover", "failover"),
            (#"{"id":"m","base_model":"m"}"#, "invalid_base_model", "base_model"),
            (#"{"id":"m","aliases":["m"]}"#, "invalid_value", "aliases[0]"),
            (#"{"id":"m","parameters":[{"name":"t","parameter":"temperature"}]}"#, "missing_field", "parameters[0].parameter_type"),
            (#"{"id":"m","provider_config":{"provider":"openai"}}"#, "invalid_value", "provider_config.provider"),
            (#"{"id":"m","provider_config":{"model_id":"arn:aws:bedrock:us-east-1:123:custom-model/x"}}"#, "invalid_value", "provider_config.model_id"),
            (#"{"id":"m","provider_config":{"model_id":"Not A Model"}}"#, "invalid_value", "provider_config.model_id"),
            (#"{"id":"m","provider_config":{"region":"nowhere"}}"#, "invalid_value", "provider_config.region"),
            (#"{"id":"m","provider_config":{"assume_role_arn":"arn:aws:iam::12:user/x"}}"#, "invalid_value", "provider_config.assume_role_arn"),
            (#"{"id":"m","provider_config":{"endpoint":"ftp://x"}}"#, "invalid_value", "provider_config.endpoint"),
            (#"{"id":"m","provider_config":{"api":"soap"}}"#, "invalid_value", "provider_config.api"),
            (#"{"id":"m","provider_config":{"api":true}}"#, "invalid_value", "provider_config.api"),
            (#"{"id":"m","pricing":{"input":{"cost":-1}}}"#, "invalid_value", "pricing.input.cost"),
            (#"{"id":"m","pricing":{"input":{"cost":1e400}}}"#, "invalid_value", "pricing.input.cost"),
            (#"{"id":"m","pricing":{"input":{"cost":0.0000000000000000001}}}"#, "invalid_value", "pricing.input.cost"),
            (#"{"id":"m","input_cost":3e-19}"#, "invalid_value", "input_cost"),
            (#"{"id":"m","pricing":{"input":{"cost":"1"}}}"#, "wrong_type", "pricing.input.cost"),
            (#"{"id":"m","pricing":{"input":{"per":5}}}"#, "missing_field", "pricing.input.cost"),
            (#"{"id":"m","pricing":{"input":{"cost":1,"per":0}}}"#, "invalid_value", "pricing.input.per"),
            (#"{"id":"m","pricing":{"input":{"cost":1,"unit":"bytes"}}}"#, "invalid_value", "pricing.input.unit"),
            (#"{"id":"m","pricing":{"currency":"usd"}}"#, "invalid_value", "pricing.currency"),
            (#"{"id":"m","pricing":{"variants":[{"when":"tokens > 5","input":{"cost":1}}]}}"#, "invalid_value", "pricing.variants[0].when"),
            (#"{"id":"m","pricing":{"currency":"EUR","input":{"cost":1,"currency":"USD"}}}"#, "invalid_value", "pricing.input.currency"),
            (#"{"id":"m","pricing":{"variants":[{"when":"input_tokens > 5","output":{"cost":1,"currency":"GBP"}}]}}"#, "invalid_value", "pricing.variants[0].output.currency"),
            (#"{"id":"m","pricing":{"input":{"cost":1,"unit":"litres"}}}"#, "invalid_value", "pricing.input.unit"),
            (#"{"id":"m","input_cost":-3}"#, "invalid_value", "input_cost"),
            (#"{"id":"m","input_cost":3,"pricing":{"input":{"cost":3}}}"#, "invalid_value", "pricing.input_cost"),
            (#"{"id":"m","version":0}"#, "invalid_value", "version"),
            // Dot segments: a client that normalises its URL would address another model.
            (#"{"id":".."}"#, "invalid_value", "id"),
            (#"{"id":"."}"#, "invalid_value", "id"),
            (#"{"id":"a/./b"}"#, "invalid_value", "id"),
            (#"{"id":"a/../b"}"#, "invalid_value", "id"),
            (#"{"id":"a/.."}"#, "invalid_value", "id"),
            (#"{"id":"../a"}"#, "invalid_value", "id"),
            (#"{"id":"m","aliases":["x/../m2"]}"#, "invalid_value", "aliases[0]"),
        ]
        for (text, code, field) in cases {
            Fixtures.expectError(code, field: field) { _ = try decode(text) }
        }
    }

    func testModelIDsWithSlashesColonsAndDots() throws {
        for id in ["bedrock/anthropic.claude-3-haiku", "eu.anthropic.claude-sonnet-4-20250514-v1:0", "a", "org/team/model@2", "a/.hidden", "a/.../b", "v1..2"] {
            XCTAssertEqual(try decode(#"{"id":"\#(id)"}"#).id, id)
        }
    }

    func testUpstreamIdentifierKinds() {
        let k = BedrockIdentifier.kind(ofUpstreamModel:)
        XCTAssertEqual(k("anthropic.claude-3-haiku-20240307-v1:0"), .foundationModelID)
        XCTAssertEqual(k("us.anthropic.claude-3-5-sonnet-20240620-v1:0"), .foundationModelID)
        XCTAssertEqual(k("arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1"), .foundationModelARN)
        XCTAssertEqual(k("arn:aws:bedrock:us-east-1:123456789012:custom-model/amazon.titan-text-express-v1/abcdefghij12"), .customModelARN)
        XCTAssertEqual(k("arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abcdefghij12"), .provisionedModelARN)
        XCTAssertEqual(k("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0"), .inferenceProfileARN)
        XCTAssertEqual(k("arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:provisioned-model/abcdefghij12"), .provisionedModelARN)
        XCTAssertNil(k("arn:aws:bedrock:us-east-1:123456789012:provisioned-model/short"))
        XCTAssertNil(k("arn:aws:s3:::bucket"))
        XCTAssertNil(k("claude"))
        XCTAssertTrue(BedrockIdentifier.isValidRegion("us-gov-west-1"))
        XCTAssertTrue(BedrockIdentifier.isValidRegion("ap-southeast-2"))
        XCTAssertFalse(BedrockIdentifier.isValidRegion("useast1"))
    }
}

/// Where the seeds are lenient, the document is too: spellings of units, a price's own (agreeing) currency, a variant
/// that only says when, and free-form provider and limits settings kept as given.
final class ModelDocumentLeniencyTests: XCTestCase {
    func testTheSeedsSpellingsAndOpenObjectsAreAcceptedAndEchoed() throws {
        let document = try ModelDocument(json: Fixtures.json(#"""
        {"id": "m",
         "limits": {"context_window": 200000, "max_tokens": 4096},
         "provider_config": {"provider": "bedrock", "model_id": "anthropic.claude-3-haiku-20240307-v1:0", "batch_size": 8, "parallelism": {"max": 2},
                             "api": "chat_completions"},
         "pricing": {"currency": "USD",
                     "input": {"cost": 3, "currency": "USD", "unit": "Token"},
                     "image": {"cost": 0.04, "unit": "IMAGE"},
                     "variants": [{"when": "input_tokens > 200000"}]}}
        """#))
        XCTAssertEqual(document.pricing?.base[.input]?.unit, .tokens)
        XCTAssertEqual(document.pricing?.base[.image]?.unit, .images)
        XCTAssertEqual(document.pricing?.variants.first?.prices.isEmpty, true)
        // With the lone variant in force, the base prices apply.
        XCTAssertEqual(document.pricing?.prices(inputTokens: 300_000, totalTokens: 300_000, contextTokens: 300_000)[.input]?.cost,
                       document.pricing?.base[.input]?.cost)
        let echoed = document.json
        XCTAssertEqual(echoed["limits"]?["max_tokens"]?.intValue, 4096)
        XCTAssertEqual(echoed["provider_config"]?["batch_size"]?.intValue, 8)
        XCTAssertEqual(echoed["provider_config"]?["parallelism"]?["max"]?.intValue, 2)
        XCTAssertEqual(document.providerConfig?.api, .chatCompletions)
        XCTAssertEqual(echoed["provider_config"]?["api"]?.stringValue, "chat_completions")
        XCTAssertEqual(echoed["pricing"]?["input"]?["currency"]?.stringValue, "USD")
        // And what is echoed reads back the same.
        XCTAssertEqual(try ModelDocument(json: echoed), document)
    }
}
