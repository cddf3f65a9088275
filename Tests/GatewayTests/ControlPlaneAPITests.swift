import Foundation
import XCTest
import Catalogue
@testable import Server
@testable import Identity
@testable import BedrockControlPlane
import IO
import Support
import TestSupport

/// Bedrock control-plane reads end to end (`GatewayHarness`: models `open`, `private` (org acme, failover open),
/// `embed`, `off` (disabled) and `custom` (a custom-model ARN)).
final class ControlPlaneAPITests: XCTestCase {
    private var gateway: GatewayHarness!

    override func setUpWithError() throws {
        gateway = try GatewayHarness.adminPreset()
    }

    override func tearDown() {
        gateway?.shutdown()
        gateway = nil
    }

    private func get(_ target: String, key: String? = GatewayHarness.AdminPreset.acmeKey) throws -> (status: Int, errorType: String?, json: JSONValue) {
        let r = try gateway.request("GET", target, key: key)
        return (r.status, r.header("x-amzn-ErrorType"), try JSONValue.parse(r.body))
    }

    private func modelIDs(_ target: String, key: String? = GatewayHarness.AdminPreset.acmeKey) throws -> [String] {
        let r = try get(target, key: key)
        XCTAssertEqual(r.status, 200, "\(target): \(r.json)")
        return r.json["modelSummaries"]?.arrayValue?.compactMap { ($0["modelId"] ?? $0["modelName"])?.stringValue } ?? []
    }

    func testRouteTable() {
        let cases: [(String, String, ControlPlaneAPIRoute)] = [
            ("GET", "/foundation-models", .listFoundationModels),
            ("HEAD", "/foundation-models", .listFoundationModels),
            ("GET", "/foundation-models/anthropic.claude-v2%3A1", .getFoundationModel(identifier: "anthropic.claude-v2:1")),
            ("GET", "/foundation-models/acme/eu", .getFoundationModel(identifier: "acme/eu")),
            ("GET", "/foundation-models/arn%3Aaws%3Abedrock%3Aus-east-1%3A%3Afoundation-model%2Fa.b",
             .getFoundationModel(identifier: "arn:aws:bedrock:us-east-1::foundation-model/a.b")),
            ("GET", "/custom-models", .listCustomModels),
            ("GET", "/custom-models/tuned", .getCustomModel(identifier: "tuned")),
            ("GET", "/inference-profiles", .listInferenceProfiles),
            ("GET", "/inference-profiles/us.anthropic.claude-3-haiku-20240307-v1%3A0",
             .getInferenceProfile(identifier: "us.anthropic.claude-3-haiku-20240307-v1:0")),
            ("PUT", "/inference-profiles/x", .methodNotAllowed),
            ("POST", "/foundation-models", .methodNotAllowed),
            ("DELETE", "/custom-models/x", .methodNotAllowed),
            ("GET", "/foundation-models/", .notFound),
            ("GET", "/foundation-models/%E2%28", .notFound),
        ]
        for (method, path, expected) in cases {
            XCTAssertEqual(ControlPlaneAPIRoute.match(method: method, path: path[...]), expected, "\(method) \(path)")
            XCTAssertTrue(gateway.service.gateway.face(for: path[...]) is ControlPlaneFace, "\(method) \(path)")
        }
    }

    func testListingShowsOnlyEnabledModelsTheCallersOrgMaySee() throws {
        XCTAssertEqual(try modelIDs("/foundation-models"), ["embed", "open", "private"])
        XCTAssertEqual(try modelIDs("/foundation-models", key: GatewayHarness.AdminPreset.globexKey), ["embed", "open"])
        // An admin key outside any organisation sees what an org-less caller may use.
        XCTAssertEqual(try modelIDs("/foundation-models", key: GatewayHarness.AdminPreset.adminKey), ["embed", "open"])

        let summary = try get("/foundation-models").json["modelSummaries"]?[2]
        XCTAssertEqual(summary?["modelArn"], "arn:aws:bedrock:eu-central-1::foundation-model/private")
        XCTAssertEqual(summary?["providerName"], "Anthropic")
        XCTAssertEqual(summary?["responseStreamingSupported"], true)
        XCTAssertEqual(summary?["outputModalities"], ["TEXT"])
    }

    func testListingFilters() throws {
        XCTAssertEqual(try modelIDs("/foundation-models?byProvider=anthropic"), ["open", "private"])
        XCTAssertEqual(try modelIDs("/foundation-models?byProvider=Amazon"), ["embed"])
        XCTAssertEqual(try modelIDs("/foundation-models?byOutputModality=EMBEDDING"), ["embed"])
        XCTAssertEqual(try modelIDs("/foundation-models?byOutputModality=TEXT&byProvider=ANTHROPIC"), ["open", "private"])
        XCTAssertEqual(try modelIDs("/foundation-models?byInferenceType=ON_DEMAND").count, 3)
        XCTAssertEqual(try modelIDs("/foundation-models?byInferenceType=PROVISIONED"), [])
        XCTAssertEqual(try modelIDs("/foundation-models?byCustomizationType=FINE_TUNING"), [])

        let bad = try get("/foundation-models?byOutputModality=SMELL")
        XCTAssertEqual(bad.status, 400)
        XCTAssertEqual(bad.errorType?.hasPrefix("ValidationException"), true)
        XCTAssertTrue(bad.json["message"]?.stringValue?.contains("byOutputModality") ?? false)
    }

    func testGetFoundationModelByIDAliasOrARN() throws {
        for target in ["/foundation-models/open", "/foundation-models/arn%3Aaws%3Abedrock%3Aus-east-1%3A%3Afoundation-model%2Fopen"] {
            let r = try get(target)
            XCTAssertEqual(r.status, 200, target)
            XCTAssertEqual(r.json["modelDetails"]?["modelId"], "open", target)
            XCTAssertEqual(r.json["modelDetails"]?["modelName"], "Open", target)
        }
        XCTAssertEqual(try get("/foundation-models/private").status, 200, "acme sees its restricted model")
    }

    func testInvisibleModelsAnswerExactlyLikeMissingOnes() throws {
        let missing = try gateway.request("GET", "/foundation-models/nothing-here", key: GatewayHarness.AdminPreset.globexKey)
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.header("x-amzn-ErrorType")?.hasPrefix("ResourceNotFoundException"), true)
        for (id, why) in [("private", "restricted to acme"), ("off", "disabled"), ("custom", "a custom model")] {
            let r = try gateway.request("GET", "/foundation-models/\(id)", key: GatewayHarness.AdminPreset.globexKey)
            XCTAssertEqual(r.status, 404, why)
            XCTAssertEqual(r.header("x-amzn-ErrorType"), missing.header("x-amzn-ErrorType"), why)
            XCTAssertEqual(try JSONValue.parse(r.body)["message"]?.stringValue,
                           "Could not find the foundation model \(id).", why)
        }
    }

    func testCustomModelsComeInPagesOfMaxResults() throws {
        for (name, job) in [("custom-b", "bbbbbbbbbbbb"), ("custom-c", "cccccccccccc")] {
            let created = try gateway.request("POST", "/v1/models", key: GatewayHarness.AdminPreset.adminKey, body: """
            {"id": "\(name)", "type": "completion", "provider_config": {"provider": "bedrock", "region": "us-west-2",
             "model_id": "arn:aws:bedrock:us-west-2:123456789012:custom-model/amazon.titan-text-express-v1:0:8k/\(job)"}}
            """)
            XCTAssertEqual(created.status, 201, created.text)
        }
        let first = try get("/custom-models?maxResults=2")
        XCTAssertEqual(first.status, 200, "\(first.json)")
        XCTAssertEqual(first.json["modelSummaries"]?.arrayValue?.compactMap { $0["modelName"]?.stringValue }, ["custom", "custom-b"])
        let token = try XCTUnwrap(first.json["nextToken"]?.stringValue)
        let second = try get("/custom-models?maxResults=2&nextToken=\(token)")
        XCTAssertEqual(second.json["modelSummaries"]?.arrayValue?.compactMap { $0["modelName"]?.stringValue }, ["custom-c"])
        XCTAssertNil(second.json["nextToken"], "the last page says so")
        XCTAssertEqual(try modelIDs("/custom-models?sortOrder=Descending&maxResults=1"), ["custom-c"])
    }

    func testListQueriesAreValidatedAsBedrockDoes() throws {
        for target in ["/custom-models?maxResults=0", "/custom-models?maxResults=1001", "/custom-models?sortOrder=Sideways",
                       "/custom-models?sortBy=Name", "/custom-models?nameContains=--x", "/custom-models?nextToken=elsewhere",
                       "/custom-models?baseModelArnEquals=not-an-arn-at-all-really", "/custom-models?creationTimeAfter=yesterday",
                       "/foundation-models?byProvider=anth%20ropic", "/foundation-models?byProvider=\(String(repeating: "a", count: 64))"] {
            let r = try get(target)
            XCTAssertEqual(r.status, 400, target)
            XCTAssertEqual(r.errorType?.split(separator: ":").first, "ValidationException", target)
            XCTAssertTrue(r.json["message"]?.stringValue?.contains("validation error") ?? false
                          || r.json["message"]?.stringValue?.contains("nextToken") ?? false, "\(target): \(r.json)")
        }
    }

    func testCustomModels() throws {
        let list = try get("/custom-models")
        XCTAssertEqual(list.status, 200)
        let summaries = list.json["modelSummaries"]?.arrayValue ?? []
        XCTAssertEqual(summaries.count, 1)
        let arn = "arn:aws:bedrock:us-west-2:123456789012:custom-model/amazon.titan-text-express-v1:0:8k/abcdef012345"
        XCTAssertEqual(summaries.first?["modelArn"]?.stringValue, arn)
        XCTAssertEqual(summaries.first?["modelName"], "custom")
        XCTAssertEqual(summaries.first?["baseModelArn"], "arn:aws:bedrock:us-west-2::foundation-model/amazon.titan-text-express-v1:0:8k")
        XCTAssertEqual(summaries.first?["ownerAccountId"], "123456789012")
        XCTAssertNotNil(summaries.first?["creationTime"]?.stringValue)
        XCTAssertEqual(try modelIDs("/custom-models?nameContains=nope"), [])

        let byName = try get("/custom-models/custom")
        XCTAssertEqual(byName.status, 200)
        XCTAssertEqual(byName.json["modelArn"]?.stringValue, arn)
        let encodedARN = arn.replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: "/", with: "%2F")
        XCTAssertEqual(try get("/custom-models/\(encodedARN)").json["modelName"], "custom")
        XCTAssertEqual(try get("/custom-models/open").status, 404, "a foundation model is not a custom model")
    }

    func testCallersMustAuthenticateTheBedrockWay() throws {
        let none = try gateway.request("GET", "/foundation-models", key: nil)
        XCTAssertEqual(none.status, 403)
        XCTAssertEqual(none.header("x-amzn-ErrorType")?.hasPrefix("MissingAuthenticationTokenException"), true)
        let unknown = try gateway.request("GET", "/foundation-models", key: "wrong")
        XCTAssertEqual(unknown.status, 403)
        XCTAssertEqual(unknown.header("x-amzn-ErrorType")?.hasPrefix("UnrecognizedClientException"), true)
        let disabled = try gateway.request("GET", "/custom-models", key: GatewayHarness.AdminPreset.disabledAdminKey)
        XCTAssertEqual(disabled.header("x-amzn-ErrorType")?.hasPrefix("AccessDeniedException"), true)
        let post = try gateway.request("POST", "/foundation-models", key: GatewayHarness.AdminPreset.acmeKey)
        XCTAssertEqual(post.status, 405)
    }

    func testCachedListingIsDroppedWhenTheCatalogueChanges() throws {
        let loop = gateway.service.server.group.loops[0]
        func cache() -> (hits: Int, misses: Int, version: UInt64?) {
            loop.queue.sync {
                let c = loop.attachment(ControlPlaneAPICache.self) { ControlPlaneAPICache() }
                return (c.hits, c.misses, c.version)
            }
        }
        XCTAssertEqual(try modelIDs("/foundation-models", key: GatewayHarness.AdminPreset.globexKey), ["embed", "open"])
        XCTAssertEqual(try modelIDs("/foundation-models", key: GatewayHarness.AdminPreset.globexKey), ["embed", "open"])
        XCTAssertEqual(cache().hits, 1)
        XCTAssertEqual(cache().misses, 1)
        XCTAssertEqual(try modelIDs("/foundation-models", key: GatewayHarness.AdminPreset.acmeKey).count, 3, "another org, its own entry")
        XCTAssertEqual(cache().misses, 2)

        // Opening the restricted model to everyone must show at once: the cached listing is dropped.
        let opened = try gateway.request("PATCH", "/v1/models/private", key: GatewayHarness.AdminPreset.adminKey, body: #"{"org_slugs": []}"#)
        XCTAssertEqual(opened.status, 200, opened.text)
        XCTAssertEqual(try modelIDs("/foundation-models", key: GatewayHarness.AdminPreset.globexKey), ["embed", "open", "private"])
        XCTAssertEqual(cache().misses, 3)
        XCTAssertEqual(cache().version, gateway.store.snapshot.version)

        // A hand edit (picked up by the watcher) drops it too.
        try gateway.editCatalogue { models in models.removeAll { $0["id"] == "embed" } }
        XCTAssertTrue(waitUntil { (try? self.modelIDs("/foundation-models", key: GatewayHarness.AdminPreset.globexKey)) == ["open", "private"] })
    }

    /// Inference profiles from the catalogue: system-defined profile ids (as the id or the upstream model id) and
    /// application profile ARNs, each naming the foundation model behind it where the id says; plain models are none.
    func testInferenceProfilesFromTheCatalogue() throws {
        let snapshot = try CatalogueSnapshot.load(fileBytes: Array(#"""
        {"models": [
          {"id": "us.anthropic.claude-3-haiku-20240307-v1:0", "type": "completion", "display": {"label": "Haiku US"}},
          {"id": "team/app", "type": "completion", "provider_config": {"region": "eu-west-1",
            "model_id": "arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/a1b2c3"}},
          {"id": "plain", "type": "completion", "provider_config": {"model_id": "anthropic.claude-3-haiku-20240307-v1:0"}},
          {"id": "hidden", "type": "completion", "org_slugs": ["acme"], "provider_config": {"model_id": "eu.meta.llama3-8b-instruct-v1:0"}}
        ]}
        """#.utf8), version: 1)
        let all = ControlPlaneAPI.listInferenceProfiles(snapshot, org: nil, filter: .init())["inferenceProfileSummaries"]?.arrayValue ?? []
        XCTAssertEqual(all.compactMap { $0["inferenceProfileId"]?.stringValue }, ["a1b2c3", "us.anthropic.claude-3-haiku-20240307-v1:0"])
        XCTAssertEqual(all[0]["type"], "APPLICATION")
        XCTAssertEqual(all[0]["inferenceProfileArn"], "arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/a1b2c3")
        XCTAssertEqual(all[1]["type"], "SYSTEM_DEFINED")
        XCTAssertEqual(all[1]["inferenceProfileName"], "Haiku US")
        XCTAssertEqual(all[1]["models"]?[0]?["modelArn"], "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0")
        let acme = ControlPlaneAPI.listInferenceProfiles(snapshot, org: "acme", filter: .init())["inferenceProfileSummaries"]?.arrayValue ?? []
        XCTAssertEqual(acme.count, 3, "the org's own profile is listed to it")
        var page = ControlPlaneAPI.ProfileFilter()
        page.maxResults = 1
        let first = ControlPlaneAPI.listInferenceProfiles(snapshot, org: nil, filter: page)
        XCTAssertEqual(first["nextToken"], "1")
        page.start = 1
        XCTAssertNil(ControlPlaneAPI.listInferenceProfiles(snapshot, org: nil, filter: page)["nextToken"])
        XCTAssertNotNil(ControlPlaneAPI.inferenceProfile(snapshot, identifier: "arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/a1b2c3", org: nil))
        XCTAssertNil(ControlPlaneAPI.inferenceProfile(snapshot, identifier: "plain", org: nil))
        XCTAssertNil(ControlPlaneAPI.inferenceProfile(snapshot, identifier: "hidden", org: nil))
    }

    func testCacheUnit() {
        let cache = ControlPlaneAPICache(capacity: 2)
        var renders = 0
        func body(_ key: String, _ version: UInt64) -> [UInt8] {
            cache.body(for: key, version: version) { renders += 1; return Array("\(key)@\(version)".utf8) }
        }
        XCTAssertEqual(body("a", 1), Array("a@1".utf8))
        XCTAssertEqual(body("a", 1), Array("a@1".utf8))
        XCTAssertEqual(renders, 1)
        XCTAssertEqual(body("a", 2), Array("a@2".utf8), "a new version renders again")
        XCTAssertEqual(renders, 2)
        XCTAssertEqual(cache.count, 1)
        _ = body("b", 2)
        _ = body("c", 2)
        XCTAssertLessThanOrEqual(cache.count, 2, "bounded")
        XCTAssertEqual(ControlPlaneAPI.cacheKey("fm", nil, ""), "fm|-|")
        XCTAssertNotEqual(ControlPlaneAPI.cacheKey("fm", "x", ""), ControlPlaneAPI.cacheKey("fm", nil, ""))
    }
}
