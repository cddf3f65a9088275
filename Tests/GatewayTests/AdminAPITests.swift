import Foundation
#if canImport(Glibc)
import Glibc
#endif
import XCTest
import Catalogue
@testable import Server
@testable import Core
@testable import Identity
@testable import Admin
import HTTP
import Support
import TestSupport

/// The admin API end to end: a real `GatewayService` on loopback port 0 with a temporary catalogue, keys file and
/// audit log, driven over raw HTTP/1.1.
final class AdminAPITests: XCTestCase {
    private var gateway: GatewayHarness!

    override func setUpWithError() throws {
        gateway = try GatewayHarness.adminPreset()
    }

    override func tearDown() {
        gateway?.shutdown()
        gateway = nil
    }

    private var admin: String { GatewayHarness.AdminPreset.adminKey }

    // MARK: Routing (no network)

    func testRouteTable() {
        let cases: [(String, String, AdminAPIRoute)] = [
            ("GET", "/v1/models", .listModels),
            ("POST", "/v1/models", .createModel),
            ("DELETE", "/v1/models", .methodNotAllowed(allow: "GET, HEAD, POST")),
            ("GET", "/v1/models/bedrock/anthropic.claude-3-haiku", .getModel(id: "bedrock/anthropic.claude-3-haiku")),
            ("GET", "/v1/models/bedrock%2Fanthropic.claude-3-haiku", .getModel(id: "bedrock/anthropic.claude-3-haiku")),
            ("PATCH", "/v1/models/a%3Ab", .patchModel(id: "a:b")),
            ("PUT", "/v1/models/x", .replaceModel(id: "x")),
            ("DELETE", "/v1/models/x/y", .deleteModel(id: "x/y")),
            ("POST", "/v1/models/bedrock/x/validate", .validateModel(id: "bedrock/x")),
            ("POST", "/v1/models/bedrock%2Fx/validate", .validateModel(id: "bedrock/x")),
            // An encoded slash is part of the id, never the suffix.
            ("GET", "/v1/models/tools%2Fvalidate", .getModel(id: "tools/validate")),
            ("POST", "/v1/models/tools%2Fvalidate", .methodNotAllowed(allow: "GET, HEAD, PUT, PATCH, DELETE")),
            ("POST", "/v1/models/tools%2Fvalidate/validate", .validateModel(id: "tools/validate")),
            ("GET", "/v1/models/", .notFound),
            ("POST", "/v1/models//validate", .notFound),
            ("GET", "/v1/models/%zz", .notFound),
            ("GET", "/v1/audit", .readAudit),
            ("POST", "/v1/audit", .methodNotAllowed(allow: "GET, HEAD")),
        ]
        for (method, path, expected) in cases {
            XCTAssertEqual(AdminAPIRoute.match(method: method, path: path[...]), expected, "\(method) \(path)")
            XCTAssertTrue(gateway.service.gateway.face(for: path[...]) is AdminFace, "\(method) \(path)")
        }
        XCTAssertNil(gateway.service.gateway.face(for: "/v1/modelsx"))
    }

    func testQueryDecoding() throws {
        let query = try AdminAPIQuery(parsing: "tag=a%2Fb&provider=x+y&flag&tag=second")
        XCTAssertEqual(query["tag"], "a/b")
        XCTAssertEqual(query["provider"], "x y")
        XCTAssertEqual(query["flag"], "")
        XCTAssertThrowsError(try AdminAPIQuery(parsing: "since=%G0")) { error in
            XCTAssertEqual((error as? QueryParameterError)?.field, "since")
        }
    }

    // MARK: Authentication

    func testPrismesKeyHeaderCarriesAKeyAndTheIdComesFromThePath() throws {
        // `001_…`: org API keys arrive in x-prismeai-api-key; the model id is the path's, a body id is ignored.
        let patched = try gateway.request("PATCH", "/v1/models/open", key: nil, headers: [("x-prismeai-api-key", admin)],
                                          body: #"{"id": "elsewhere", "description": "via prisme"}"#)
        XCTAssertEqual(patched.status, 200, patched.text)
        XCTAssertEqual(try JSONValue.parse(patched.body)["id"]?.stringValue, "open")
        XCTAssertEqual(gateway.store.snapshot.model("open")?.resolved.description, "via prisme")
        XCTAssertNil(gateway.store.snapshot.model("elsewhere"))
        let client = try gateway.request("GET", "/v1/models", key: nil, headers: [("x-prismeai-api-key", GatewayHarness.AdminPreset.acmeKey)])
        XCTAssertEqual(client.status, 403)
        let conflicting = try gateway.request("GET", "/v1/models", key: nil,
                                              headers: [("x-prismeai-api-key", admin), ("x-api-key", GatewayHarness.AdminPreset.acmeKey)])
        XCTAssertEqual(conflicting.status, 401, "two keys that differ are refused, not resolved")
    }

    func testAdminRoutesTakeAdminKeysOnly() throws {
        let none = try gateway.request("GET", "/v1/models", key: nil)
        XCTAssertEqual(none.status, 401)
        XCTAssertEqual(none.header("WWW-Authenticate"), "Bearer realm=\"tollgate-admin\"")
        XCTAssertEqual(try gateway.errorCode(none), "unauthorized")

        XCTAssertEqual(try gateway.request("GET", "/v1/models", key: "not-a-key").status, 401)
        XCTAssertEqual(try gateway.request("GET", "/v1/models", key: GatewayHarness.AdminPreset.disabledAdminKey).status, 401)

        let client = try gateway.request("GET", "/v1/models", key: GatewayHarness.AdminPreset.acmeKey)
        XCTAssertEqual(client.status, 403)
        XCTAssertEqual(try gateway.errorCode(client), "forbidden")
        XCTAssertEqual(try gateway.request("GET", "/v1/audit", key: GatewayHarness.AdminPreset.acmeKey).status, 403)
        XCTAssertEqual(try gateway.request("POST", "/v1/models", key: GatewayHarness.AdminPreset.acmeKey, body: #"{"id":"x"}"#).status, 403)
        XCTAssertNil(gateway.store.snapshot.model("x"), "a refused caller changed nothing")

        let viaHeader = try gateway.request("GET", "/v1/models", key: nil, headers: [("x-api-key", admin)])
        XCTAssertEqual(viaHeader.status, 200)
        XCTAssertEqual(try gateway.request("GET", "/v1/models", key: admin).status, 200)
    }

    func testWrongMethodIs405WithAllow() throws {
        let r = try gateway.request("DELETE", "/v1/models", key: admin)
        XCTAssertEqual(r.status, 405)
        XCTAssertEqual(r.header("Allow"), "GET, HEAD, POST")
        XCTAssertEqual(try gateway.errorCode(r), "method_not_allowed")
        XCTAssertEqual(try gateway.request("POST", "/v1/models/plain", key: admin, body: "{}").status, 405)
        XCTAssertEqual(try gateway.request("PUT", "/v1/audit", key: admin, body: "{}").status, 405)
    }

    // MARK: CRUD

    func testCreateGetAndConflict() throws {
        let created = try gateway.request("POST", "/v1/models", key: admin, body: #"""
        {"id": "bedrock/anthropic.claude-3-haiku", "type": "completion", "display": {"label": "Haiku"},
         "provider_config": {"provider": "bedrock", "model_id": "anthropic.claude-3-haiku-20240307-v1:0", "region": "us-east-1"},
         "input_cost": 0.25, "output_cost": 1.25}
        """#)
        XCTAssertEqual(created.status, 201, created.text)
        XCTAssertEqual(created.header("Location"), "/v1/models/bedrock/anthropic.claude-3-haiku")
        XCTAssertEqual(created.header("ETag"), "\"1\"")
        let body = try JSONValue.parse(created.body)
        XCTAssertEqual(body["pricing"]?["input"]?["cost"], .money(Money("0.25")!), "shorthand stored in full form")
        XCTAssertNotNil(body["created_at"]?.stringValue)

        let fetched = try gateway.request("GET", created.header("Location")!, key: admin)
        XCTAssertEqual(fetched.status, 200)
        XCTAssertEqual(fetched.header("ETag"), "\"1\"")
        XCTAssertEqual(try JSONValue.parse(fetched.body)["display"]?["label"], "Haiku")

        let again = try gateway.request("POST", "/v1/models", key: admin, body: #"{"id": "bedrock/anthropic.claude-3-haiku"}"#)
        XCTAssertEqual(again.status, 409)
        XCTAssertEqual(try gateway.errorCode(again), "already_exists")
        XCTAssertEqual(try gateway.request("GET", "/v1/models/nope", key: admin).status, 404)
    }

    func testIDsWithSlashesWorkEncodedAndUnencoded() throws {
        XCTAssertEqual(try gateway.request("POST", "/v1/models", key: admin, body: #"{"id": "team/tools/validate"}"#).status, 201)
        for path in ["/v1/models/team/tools/validate", "/v1/models/team%2Ftools%2Fvalidate", "/v1/models/team/tools%2fvalidate"] {
            let r = try gateway.request("GET", path, key: admin)
            XCTAssertEqual(r.status, 200, path)
            XCTAssertEqual(try JSONValue.parse(r.body)["id"], "team/tools/validate", path)
        }
        let patched = try gateway.request("PATCH", "/v1/models/team/tools/validate", key: admin, body: #"{"description": "unencoded"}"#)
        XCTAssertEqual(patched.status, 200, patched.text)
        XCTAssertEqual(try JSONValue.parse(patched.body)["description"], "unencoded")
        let encoded = try gateway.request("PATCH", "/v1/models/team%2Ftools%2Fvalidate", key: admin, body: #"{"description": "encoded"}"#)
        XCTAssertEqual(try JSONValue.parse(encoded.body)["description"], "encoded")
        // `/validate` after an id that itself ends in `/validate`.
        let validated = try gateway.request("POST", "/v1/models/team/tools/validate/validate", key: admin)
        XCTAssertEqual(validated.status, 200, validated.text)
        XCTAssertEqual(try JSONValue.parse(validated.body)["model"]?["id"], "team/tools/validate")
        XCTAssertEqual(try gateway.request("DELETE", "/v1/models/team%2Ftools/validate", key: admin).status, 204)
        XCTAssertNil(gateway.store.snapshot.model("team/tools/validate"))
    }

    func testIfMatchGuardsEveryChange() throws {
        let put = try gateway.request("PUT", "/v1/models/open", key: admin, headers: [("If-Match", "\"1\"")],
                                      body: #"{"description": "v2"}"#)
        XCTAssertEqual(put.status, 200, put.text)
        XCTAssertEqual(put.header("ETag"), "\"2\"")

        let stale = try gateway.request("PUT", "/v1/models/open", key: admin, headers: [("If-Match", "\"1\"")],
                                        body: #"{"description": "lost update"}"#)
        XCTAssertEqual(stale.status, 412)
        XCTAssertEqual(try gateway.errorCode(stale), "precondition_failed")
        XCTAssertEqual(try gateway.request("PATCH", "/v1/models/open", key: admin, headers: [("If-Match", "\"1\"")],
                                           body: #"{"description": "x"}"#).status, 412)
        XCTAssertEqual(try gateway.request("DELETE", "/v1/models/open", key: admin, headers: [("If-Match", "\"1\"")]).status, 412)
        XCTAssertEqual(gateway.store.snapshot.model("open")?.resolved.description, "v2", "refused changes left the model alone")

        let patch = try gateway.request("PATCH", "/v1/models/open", key: admin, headers: [("If-Match", put.header("ETag")!)],
                                        body: #"{"description": "v3"}"#)
        XCTAssertEqual(patch.status, 200)
        XCTAssertEqual(patch.header("ETag"), "\"3\"")
        XCTAssertEqual(try gateway.request("DELETE", "/v1/models/embed", key: admin, headers: [("If-Match", "W/\"1\"")]).status, 204)
    }

    func testPatchMergesAndPutReplaces() throws {
        let patched = try gateway.request("PATCH", "/v1/models/private", key: admin, body: #"""
        {"id": "ignored", "display": {"brand": null, "hidden": true}, "capabilities": {"tools": true},
         "org_slugs": [], "parameters": [], "description": null}
        """#)
        XCTAssertEqual(patched.status, 200, patched.text)
        let doc = try JSONValue.parse(patched.body)
        XCTAssertEqual(doc["id"], "private", "the id comes from the path")
        XCTAssertEqual(doc["display"]?["label"], "Private", "unmentioned keys stay")
        XCTAssertNil(doc["display"]?["brand"], "null removes a key")
        XCTAssertEqual(doc["display"]?["hidden"], true)
        XCTAssertEqual(doc["capabilities"]?["streaming"], true)
        XCTAssertEqual(doc["capabilities"]?["tools"], true)
        XCTAssertNil(doc["org_slugs"], "[] clears the restriction")
        XCTAssertEqual(doc["parameters"]?.arrayValue?.count, 1, "an empty list does not replace parameters")
        XCTAssertNil(doc["description"])
        XCTAssertNil(gateway.store.snapshot.model("ignored"))

        let put = try gateway.request("PUT", "/v1/models/private", key: admin, body: #"{"id": "ignored", "type": "embeddings"}"#)
        XCTAssertEqual(put.status, 200, put.text)
        let replaced = try JSONValue.parse(put.body)
        XCTAssertEqual(replaced["id"], "private")
        XCTAssertEqual(replaced["type"], "embeddings")
        XCTAssertNil(replaced["display"], "PUT replaces every editable field")
        XCTAssertNil(replaced["parameters"])
    }

    func testDeleteRefusedWhileAFailoverPointsAtIt() throws {
        let refused = try gateway.request("DELETE", "/v1/models/open", key: admin)
        XCTAssertEqual(refused.status, 409)
        XCTAssertEqual(try gateway.errorCode(refused), "model_referenced")
        XCTAssertTrue(try gateway.errorMessage(refused).contains("private"))
        XCTAssertEqual(try gateway.request("DELETE", "/v1/models/private", key: admin).status, 204)
        let deleted = try gateway.request("DELETE", "/v1/models/open", key: admin)
        XCTAssertEqual(deleted.status, 204)
        XCTAssertTrue(deleted.body.isEmpty)
        XCTAssertEqual(try gateway.request("GET", "/v1/models/open", key: admin).status, 404)
        XCTAssertEqual(try gateway.request("DELETE", "/v1/models/open", key: admin).status, 404)
        // Persisted: the file no longer holds either model.
        let file = try JSONValue.parse(try AtomicFile.read(gateway.cataloguePath))
        XCTAssertFalse(file["models"]!.arrayValue!.contains { ["open", "private"].contains($0["id"]?.stringValue) })
    }

    // MARK: Validation errors

    func testValidationErrorsNameTheField() throws {
        let cases: [(String, String, String?)] = [
            (#"{"id": "p", "pricing": {"currency": "USD", "input": {"cost": -1, "per": 1000000, "unit": "tokens"}}}"#,
             "invalid_value", "pricing.input.cost"),
            (#"{"id": "p", "colour": "blue"}"#, "unknown_field", "colour"),
            (#"{"id": "p", "enabled": "yes"}"#, "wrong_type", "enabled"),
            (#"{"id": "p", "failover": "missing"}"#, "invalid_failover", "failover"),
            (#"{"id": "p", "provider_config": {"model_id": "arn:aws:bedrock:us-east-1:1:custom-model/x"}}"#,
             "invalid_value", "provider_config.model_id"),
        ]
        for (body, code, field) in cases {
            let r = try gateway.request("POST", "/v1/models", key: admin, body: body)
            XCTAssertEqual(r.status, 400, body)
            let error = try JSONValue.parse(r.body)["error"]
            XCTAssertEqual(error?["code"]?.stringValue, code, body)
            XCTAssertEqual(error?["field"]?.stringValue, field, body)
        }
        XCTAssertNil(gateway.store.snapshot.model("p"))
    }

    func testMalformedJSONIs400NamingTheProblem() throws {
        let bad = try gateway.request("POST", "/v1/models", key: admin, body: #"{"id": "x",}"#)
        XCTAssertEqual(bad.status, 400)
        XCTAssertEqual(try gateway.errorCode(bad), "invalid_json")
        XCTAssertTrue(try gateway.errorMessage(bad).contains("at byte"), bad.text)
        let empty = try gateway.request("PATCH", "/v1/models/open", key: admin, body: "")
        XCTAssertEqual(empty.status, 400)
        XCTAssertTrue(try gateway.errorMessage(empty).contains("empty"))
        let array = try gateway.request("PATCH", "/v1/models/open", key: admin, body: "[1]")
        XCTAssertEqual(array.status, 400)
        XCTAssertEqual(try gateway.errorCode(array), "wrong_type")
    }

    func testValidateReportsFormatChecksAndSaysLiveChecksDidNotRun() throws {
        let stored = try gateway.request("POST", "/v1/models/open/validate", key: admin)
        XCTAssertEqual(stored.status, 200, stored.text)
        let ok = try JSONValue.parse(stored.body)
        XCTAssertEqual(ok["valid"], true)
        XCTAssertEqual(ok["checks"]?["live"], "not_run")
        XCTAssertEqual(ok["live_checks"]?["run"], false)
        // The test process has no credentials for the `nowhere` set: the answer says that is why.
        XCTAssertEqual(ok["live_checks"]?["credential_set"], "nowhere")
        XCTAssertTrue(ok["live_checks"]?["reason"]?.stringValue?.contains("no credentials allow it") ?? false, stored.text)

        let candidate = try gateway.request("POST", "/v1/models/newcomer/validate", key: admin,
                                            body: #"{"limits": {"context_window": -5}}"#)
        XCTAssertEqual(candidate.status, 400)
        let failed = try JSONValue.parse(candidate.body)
        XCTAssertEqual(failed["valid"], false)
        XCTAssertEqual(failed["error"]?["field"], "limits.context_window")
        XCTAssertNil(gateway.store.snapshot.model("newcomer"), "validate changes nothing")

        XCTAssertEqual(try gateway.request("POST", "/v1/models/newcomer/validate", key: admin).status, 404)
    }

    // MARK: Listing

    func testListFiltersAndPagesInStableOrder() throws {
        for i in 0..<5 {
            let body = #"{"id": "bulk-\#(i)", "type": "embeddings", "tags": ["bulk"]\#(i == 4 ? #", "enabled": false"# : "")}"#
            XCTAssertEqual(try gateway.request("POST", "/v1/models", key: admin, body: body).status, 201)
        }
        XCTAssertEqual(try gateway.ids("/v1/models?type=embeddings"), ["bulk-0", "bulk-1", "bulk-2", "bulk-3", "bulk-4", "embed"])
        XCTAssertEqual(try gateway.ids("/v1/models?tag=bulk&enabled=false"), ["bulk-4"])
        XCTAssertEqual(try gateway.ids("/v1/models?provider=bedrock&type=completion"), ["custom", "off", "open", "private"])

        var seen: [String] = []
        var target = "/v1/models?limit=2"
        var pages = 0
        while true {
            let page = try JSONValue.parse(try gateway.request("GET", target, key: admin).body)
            let ids = page["models"]!.arrayValue!.compactMap { $0["id"]?.stringValue }
            XCTAssertLessThanOrEqual(ids.count, 2)
            seen += ids
            pages += 1
            guard let next = page["next_cursor"]?.stringValue else { break }
            target = "/v1/models?limit=2&cursor=\(next)"
        }
        XCTAssertEqual(seen, try gateway.ids("/v1/models"))
        XCTAssertEqual(seen, seen.sorted())
        XCTAssertEqual(seen.count, 10)
        XCTAssertEqual(pages, 5)

        for (query, field) in [("limit=0", "limit"), ("enabled=maybe", "enabled"), ("type=chat", "type"),
                               ("colour=red", "colour"), ("cursor=%2A%2A", "cursor")] {
            let r = try gateway.request("GET", "/v1/models?\(query)", key: admin)
            XCTAssertEqual(r.status, 400, query)
            XCTAssertEqual(try JSONValue.parse(r.body)["error"]?["field"]?.stringValue, field, query)
        }
    }

    // MARK: Audit

    func testAuditRecordsChangesWithTheCallersKeyID() throws {
        XCTAssertEqual(try gateway.request("POST", "/v1/models", key: admin, body: #"{"id": "audited", "description": "a"}"#).status, 201)
        XCTAssertEqual(try gateway.request("PATCH", "/v1/models/audited", key: admin, body: #"{"description": "b"}"#).status, 200)
        XCTAssertEqual(try gateway.request("DELETE", "/v1/models/audited", key: admin).status, 204)

        let all = try gateway.auditEvents("model=audited")
        XCTAssertEqual(all.map { $0["event"]?.stringValue }, ["model.created", "model.updated", "model.deleted"])
        XCTAssertEqual(Set(all.compactMap { $0["actor"]?.stringValue }), ["test-admin"])
        let change = all[1]["changes"]?[0]
        XCTAssertEqual(change?["field"], "description")
        XCTAssertEqual(change?["before"], "a")
        XCTAssertEqual(change?["after"], "b")

        XCTAssertEqual(try gateway.auditEvents("model=audited&event=updated").count, 1)
        XCTAssertEqual(try gateway.auditEvents("actor=test-admin&event=model.deleted").count, 1)
        XCTAssertEqual(try gateway.auditEvents("actor=someone-else").count, 0)
        XCTAssertEqual(try gateway.auditEvents("model=audited&limit=1").map { $0["event"]?.stringValue }, ["model.deleted"])
        XCTAssertEqual(try gateway.auditEvents("since=2999-01-01T00:00:00Z").count, 0)
        XCTAssertEqual(try gateway.auditEvents("model=audited&until=2999-01-01T00:00:00%2B02:00").count, 3)
        XCTAssertEqual(try gateway.auditEvents("model=audited&since=2000-01-01T00:00:00Z").count, 3)

        for (query, field) in [("since=yesterday", "since"), ("event=model.renamed", "event"), ("limit=-1", "limit")] {
            let r = try gateway.request("GET", "/v1/audit?\(query)", key: admin)
            XCTAssertEqual(r.status, 400, query)
            XCTAssertEqual(try JSONValue.parse(r.body)["error"]?["field"]?.stringValue, field, query)
        }
    }

    // MARK: Hand edits of the file

    func testHandEditIsPickedUpByTheRunningGateway() throws {
        try gateway.editCatalogue { models in
            models = models.map { model in
                guard model["id"] == "open", var o = model.objectValue else { return model }
                o["description"] = "edited by hand"
                return .object(o)
            }
        }
        XCTAssertTrue(waitUntil {
            (try? JSONValue.parse(self.gateway.request("GET", "/v1/models/open", key: self.admin).body)["description"]) == "edited by hand"
        })
        let events = try gateway.auditEvents("model=open&actor=file")
        XCTAssertEqual(events.last?["event"], "model.updated")
    }

    func testInvalidHandEditIsRejectedAndTheOldCatalogueKeepsServing() throws {
        let before = gateway.store.snapshot.version
        try gateway.editCatalogue { models in
            models.append(["id": "broken", "pricing": ["currency": "USD", "input": ["cost": -3, "per": 1, "unit": "tokens"]]])
        }
        XCTAssertTrue(waitUntil { self.gateway.log().contains("catalogue_reload_failed") })
        let line = gateway.log().split(separator: "\n").first { $0.contains("catalogue_reload_failed") }.map(String.init) ?? ""
        XCTAssertTrue(line.contains("pricing.input.cost"), line)
        XCTAssertEqual(gateway.store.snapshot.version, before)
        XCTAssertEqual(try gateway.request("GET", "/v1/models/broken", key: admin).status, 404)
        XCTAssertEqual(try gateway.request("GET", "/v1/models/open", key: admin).status, 200)
    }
}

extension Array where Element == UInt8 {
    func write(to path: String) throws {
        try Data(self).write(to: URL(fileURLWithPath: path))
    }
}
