import XCTest
import Support
@testable import Catalogue

final class CatalogueEditorTests: XCTestCase {
    private func context(_ snap: CatalogueSnapshot) -> CatalogueEditor.Context {
        CatalogueEditor.Context(snapshot: snap, nextVersion: snap.version + 1, now: "2025-06-01T00:00:00.000Z", actor: "admin")
    }

    private let full = #"""
    {"id":"bedrock/m","type":"completion","display":{"label":"M","brand":"B"},"capabilities":{"streaming":true,"tools":true},
     "limits":{"context_window":1000},"metrics":{"a":1,"b":2},"tags":["x"],"org_slugs":["acme"],
     "parameters":[{"name":"T","parameter":"temperature","parameter_type":"number"}],
     "provider_config":{"provider":"bedrock","model_id":"anthropic.claude-3-haiku-20240307-v1:0","region":"us-east-1"},
     "pricing":{"input":{"cost":1},"output":{"cost":2}},"version":4}
    """#

    func testPatchMergesObjectsKeyByKeyAndReplacesOthers() throws {
        let snap = try Fixtures.snapshot([full])
        let change = try CatalogueEditor.patch(id: "bedrock/m", Fixtures.json(#"""
        {"id":"ignored","display":{"label":"New","brand":null},"capabilities":{"vision":true},"metrics":{"a":null},
         "provider_config":{"region":"eu-west-1"},"tags":["y"],"parameters":[],"org_slugs":[],"description":"d","version":99}
        """#), ifMatch: nil, context(snap))
        let doc = try XCTUnwrap(change.model?.document)
        XCTAssertEqual(doc.id, "bedrock/m")
        XCTAssertEqual(doc.display, ModelDisplay(label: "New"))
        XCTAssertEqual(doc.capabilities?.json, Fixtures.json(#"{"streaming":true,"tools":true,"vision":true}"#))
        XCTAssertEqual(doc.metrics, ["b": 2])
        XCTAssertEqual(doc.providerConfig?.region, "eu-west-1")
        XCTAssertEqual(doc.providerConfig?.modelID, "anthropic.claude-3-haiku-20240307-v1:0")
        XCTAssertEqual(doc.tags, ["y"])
        XCTAssertEqual(doc.parameters?.count, 1, "an empty parameters list leaves them alone")
        XCTAssertNil(doc.orgSlugs, "org_slugs: [] clears the restriction")
        XCTAssertEqual(doc.limits?.contextWindow, 1000, "absent fields stay")
        XCTAssertEqual(doc.version, 5)
        XCTAssertEqual(doc.updatedAt, "2025-06-01T00:00:00.000Z")
        let fields = change.event?.changes.map(\.field) ?? []
        XCTAssertEqual(Set(fields), ["description", "display.label", "display.brand", "capabilities.vision", "metrics.a",
                                     "provider_config.region", "tags", "org_slugs"])
    }

    func testPatchNullRemovesFieldsAndReplacesParametersWhenNonEmpty() throws {
        let snap = try Fixtures.snapshot([full])
        let doc = try CatalogueEditor.patch(id: "bedrock/m", Fixtures.json(#"""
        {"limits":null,"tags":null,"parameters":[{"name":"P","parameter":"top_p","parameter_type":"number"}],"input_cost":5}
        """#), ifMatch: nil, context(snap)).model!.document
        XCTAssertNil(doc.limits)
        XCTAssertNil(doc.tags)
        XCTAssertEqual(doc.parameters?.map(\.parameter), ["top_p"])
        XCTAssertEqual(doc.pricing?.base[.input]?.cost, 5, "shorthand replaces the input price")
        XCTAssertEqual(doc.pricing?.base[.output]?.cost, 2, "other prices stay")
    }

    func testPutReplacesEverythingButKeepsIdAndCreatedAt() throws {
        var first = try Fixtures.document(full)
        first.createdAt = "2024-01-01T00:00:00.000Z"
        let snap = try CatalogueSnapshot.build(documents: [first], version: 1)
        let doc = try CatalogueEditor.replace(id: "bedrock/m", Fixtures.json(#"{"id":"other","type":"embeddings","created_at":"x"}"#),
                                              ifMatch: "\"4\"", context(snap)).model!.document
        XCTAssertEqual(doc.id, "bedrock/m")
        XCTAssertEqual(doc.type, .embeddings)
        XCTAssertNil(doc.display)
        XCTAssertNil(doc.pricing)
        XCTAssertEqual(doc.createdAt, "2024-01-01T00:00:00.000Z")
        XCTAssertEqual(doc.version, 5)
    }

    func testUnchangedReplaceKeepsVersionAndEmitsNoEvent() throws {
        let snap = try Fixtures.snapshot([#"{"id":"m","tags":["a"]}"#])
        let change = try CatalogueEditor.replace(id: "m", Fixtures.json(#"{"tags":["a"]}"#), ifMatch: nil, context(snap))
        XCTAssertNil(change.event)
        XCTAssertEqual(change.model?.version, 1)
    }

    func testIfMatch() throws {
        let snap = try Fixtures.snapshot([full])
        for header in ["\"4\"", "W/\"4\"", "*", "\"1\", \"4\"", "4"] {
            XCTAssertNoThrow(try CatalogueEditor.patch(id: "bedrock/m", ["tags": ["q"]], ifMatch: header, context(snap)), header)
        }
        Fixtures.expectError("precondition_failed", field: nil) {
            _ = try CatalogueEditor.patch(id: "bedrock/m", ["tags": ["q"]], ifMatch: "\"3\"", context(snap))
        }
        Fixtures.expectError("precondition_failed", field: nil) {
            _ = try CatalogueEditor.delete(id: "bedrock/m", ifMatch: "\"5\"", context(snap))
        }
        Fixtures.expectError("not_found", field: nil) {
            _ = try CatalogueEditor.replace(id: "nope", [:], ifMatch: nil, context(snap))
        }
    }

    func testCreateConflictsAndValidationFields() throws {
        let snap = try Fixtures.snapshot([#"{"id":"a","aliases":["alias-a"]}"#, #"{"id":"b","failover":"a"}"#])
        Fixtures.expectError("already_exists", field: "id") { _ = try CatalogueEditor.create(["id": "a"], self.context(snap)) }
        Fixtures.expectError("already_exists", field: "id") { _ = try CatalogueEditor.create(["id": "alias-a"], self.context(snap)) }
        Fixtures.expectError("invalid_failover", field: "failover") {
            _ = try CatalogueEditor.create(["id": "c", "failover": "missing"], self.context(snap))
        }
        Fixtures.expectError("invalid_failover", field: "failover") {
            _ = try CatalogueEditor.patch(id: "a", ["failover": "b"], ifMatch: nil, self.context(snap))
        }
        let created = try CatalogueEditor.create(["id": "c", "failover": "a", "version": 7], context(snap))
        XCTAssertEqual(created.model?.version, 1)
        XCTAssertEqual(created.event?.kind, .created)
        XCTAssertEqual(created.snapshot.version, snap.version + 1)
    }

    func testDeleteRefusedWhileReferenced() throws {
        let snap = try Fixtures.snapshot([#"{"id":"a"}"#, #"{"id":"b","failover":"a"}"#, #"{"id":"c","base_model":"b"}"#])
        Fixtures.expectError("model_referenced", field: nil) { _ = try CatalogueEditor.delete(id: "a", ifMatch: nil, self.context(snap)) }
        Fixtures.expectError("model_referenced", field: nil) { _ = try CatalogueEditor.delete(id: "b", ifMatch: nil, self.context(snap)) }
        let change = try CatalogueEditor.delete(id: "c", ifMatch: nil, context(snap))
        XCTAssertNil(change.snapshot.model("c"))
        XCTAssertEqual(change.event?.kind, .deleted)
    }

    func testEditBreakingAnotherDocumentNamesIt() throws {
        let snap = try Fixtures.snapshot([#"{"id":"e","dimensions":1024}"#, #"{"id":"child/1","base_model":"e","supported_dimensions":[1024]}"#])
        Fixtures.expectError("invalid_value", field: #"models["child/1"].dimensions"#) {
            _ = try CatalogueEditor.patch(id: "e", ["dimensions": 512], ifMatch: nil, self.context(snap))
        }
    }

    func testModelPathDecoding() {
        XCTAssertEqual(ModelPath.decode("bedrock/anthropic.claude-3-haiku"), "bedrock/anthropic.claude-3-haiku")
        XCTAssertEqual(ModelPath.decode("bedrock%2Fanthropic.claude-3-haiku-20240307-v1%3A0"), "bedrock/anthropic.claude-3-haiku-20240307-v1:0")
        XCTAssertNil(ModelPath.decode("bad%2"))
        XCTAssertNil(ModelPath.decode("bad%zz"))
    }
}
