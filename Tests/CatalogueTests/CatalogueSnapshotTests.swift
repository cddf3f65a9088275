import XCTest
import Support
@testable import Catalogue

final class CatalogueSnapshotTests: XCTestCase {
    func testInheritanceFillsUnsetFieldsButNotIdentity() throws {
        let snap = try Fixtures.snapshot([
            Fixtures.haiku,
            #"{"id":"bedrock/haiku-eu","aliases":["haiku-eu"],"base_model":"anthropic.claude-3-haiku-20240307-v1:0","region":"eu-west-1","tags":["eu"]}"#,
            #"{"id":"grandchild","base_model":"haiku-eu","enabled":false}"#,
        ])
        let child = try XCTUnwrap(snap.model("haiku-eu"))
        XCTAssertEqual(child.id, "bedrock/haiku-eu")
        XCTAssertEqual(child.resolved.region, "eu-west-1")
        XCTAssertEqual(child.resolved.tags, ["eu"])
        XCTAssertEqual(child.resolved.limits?.contextWindow, 200_000)
        XCTAssertEqual(child.pricing?.base[.output]?.cost, Money("1.25"))
        XCTAssertEqual(child.resolved.display?.label, "Claude 3 Haiku")
        XCTAssertNil(child.document.pricing, "the stored document is untouched")
        let grand = try XCTUnwrap(snap.model("grandchild"))
        XCTAssertEqual(grand.resolved.region, "eu-west-1")
        XCTAssertEqual(grand.resolved.aliases, [], "aliases never inherit")
        XCTAssertEqual(grand.resolved.baseModel, "haiku-eu")
        XCTAssertFalse(grand.isEnabled)
        XCTAssertEqual(grand.json["provider_config"]?["model_id"], "anthropic.claude-3-haiku-20240307-v1:0")
    }

    func testCrossDocumentErrors() {
        Fixtures.expectError("invalid_base_model", field: "models[0].base_model") {
            _ = try Fixtures.snapshot([#"{"id":"a","base_model":"missing"}"#])
        }
        Fixtures.expectError("invalid_base_model", field: "models[1].base_model") {
            _ = try Fixtures.snapshot([#"{"id":"a","base_model":"b"}"#, #"{"id":"b","base_model":"a"}"#])
        }
        Fixtures.expectError("invalid_failover", field: "models[0].failover") {
            _ = try Fixtures.snapshot([#"{"id":"a","failover":"missing"}"#])
        }
        Fixtures.expectError("invalid_failover", field: "models[0].failover") {
            _ = try Fixtures.snapshot([#"{"id":"a","failover":"b"}"#, #"{"id":"b","failover":"c"}"#, #"{"id":"c","failover":"a"}"#])
        }
        Fixtures.expectError("invalid_failover", field: "models[1].failover") {
            _ = try Fixtures.snapshot([#"{"id":"a","aliases":["x"]}"#, #"{"id":"b","failover":"b2"}"#, #"{"id":"b2","failover":"b"}"#].reversed().reversed())
        }
        Fixtures.expectError("duplicate_id", field: "models[1].id") {
            _ = try Fixtures.snapshot([#"{"id":"a"}"#, #"{"id":"a"}"#])
        }
        Fixtures.expectError("duplicate_id", field: "models[1].aliases[0]") {
            _ = try Fixtures.snapshot([#"{"id":"a"}"#, #"{"id":"b","aliases":["a"]}"#])
        }
        // Inherited dimensions must be within the child's supported_dimensions.
        Fixtures.expectError("invalid_value", field: "models[1].dimensions") {
            _ = try Fixtures.snapshot([#"{"id":"e","type":"embeddings","dimensions":1024}"#,
                                        #"{"id":"e2","base_model":"e","supported_dimensions":[256,512]}"#])
        }
    }

    func testRoutabilityAndVisibility() throws {
        let snap = try Fixtures.snapshot([
            #"{"id":"open"}"#, #"{"id":"off","enabled":false}"#,
            #"{"id":"private","aliases":["p"],"org_slugs":["acme","globex"]}"#,
        ])
        XCTAssertNotNil(snap.isRoutable("open", org: nil))
        XCTAssertNil(snap.isRoutable("off", org: "acme"))
        XCTAssertNil(snap.isRoutable("missing", org: "acme"))
        XCTAssertEqual(snap.isRoutable("p", org: "acme")?.id, "private")
        XCTAssertNil(snap.isRoutable("private", org: "initech"))
        XCTAssertNil(snap.isRoutable("private", org: nil))
    }

    func testFailoverChainSkipsUnroutableAndIsCapped() throws {
        let snap = try Fixtures.snapshot([
            #"{"id":"a","failover":"b"}"#, #"{"id":"b","failover":"c","enabled":false}"#,
            #"{"id":"c","failover":"d"}"#, #"{"id":"d","failover":"e","org_slugs":["acme"]}"#, #"{"id":"e"}"#,
        ])
        XCTAssertEqual(snap.failoverChain(from: "a", org: nil).map(\.id), ["c", "e"])
        XCTAssertEqual(snap.failoverChain(from: "a", org: "acme").map(\.id), ["c", "d", "e"])
        XCTAssertEqual(snap.failoverChain(from: "a", org: "acme", maxHops: 2).map(\.id), ["c"])
        XCTAssertEqual(snap.failoverChain(from: "e", org: nil).map(\.id), [])
        XCTAssertEqual(snap.referrers(of: "c"), ["b"])
    }

    func testListingFiltersOrderAndPagination() throws {
        let snap = try Fixtures.snapshot([
            #"{"id":"z","type":"embeddings","tags":["t"]}"#, #"{"id":"b/2","tags":["t"]}"#, #"{"id":"b/1","enabled":false}"#,
            #"{"id":"a","org_slugs":["acme"],"tags":["t"]}"#, #"{"id":"c","type":"image_generation"}"#,
        ])
        XCTAssertEqual(try snap.list(ModelQuery()).models.map(\.id), ["a", "b/1", "b/2", "c", "z"])
        XCTAssertEqual(try snap.list(ModelQuery(type: .embeddings)).models.map(\.id), ["z"])
        XCTAssertEqual(try snap.list(ModelQuery(tag: "t")).models.map(\.id), ["a", "b/2", "z"])
        XCTAssertEqual(try snap.list(ModelQuery(enabled: false)).models.map(\.id), ["b/1"])
        XCTAssertEqual(try snap.list(ModelQuery(provider: "bedrock")).models.count, 5)
        XCTAssertEqual(try snap.list(ModelQuery(provider: "other")).models.count, 0)
        XCTAssertEqual(try snap.list(ModelQuery(audience: .organisation("globex"))).models.map(\.id), ["b/1", "b/2", "c", "z"])

        var query = ModelQuery(tag: "t", limit: 2)
        let first = try snap.list(query)
        XCTAssertEqual(first.models.map(\.id), ["a", "b/2"])
        query.cursor = try XCTUnwrap(first.nextCursor)
        let second = try snap.list(query)
        XCTAssertEqual(second.models.map(\.id), ["z"])
        XCTAssertNil(second.nextCursor)
        Fixtures.expectError("invalid_value", field: "cursor") { _ = try snap.list(ModelQuery(cursor: "!!!")) }
        Fixtures.expectError("invalid_value", field: "limit") { _ = try snap.list(ModelQuery(limit: 0)) }
    }

    func testFileProblemsListsEveryBrokenDocument() {
        let bytes = Array(#"{"models":[{"id":"ok"},{"id":"x","type":1},{"id":"y","colour":2}],"extra":1}"#.utf8)
        let problems = CatalogueSnapshot.problems(inFile: bytes)
        XCTAssertEqual(problems.map(\.field), ["extra", "models[1].type", "models[2].colour"])
        XCTAssertEqual(CatalogueSnapshot.problems(inFile: Array("{".utf8)).first?.name, "invalid_json")
    }
}
