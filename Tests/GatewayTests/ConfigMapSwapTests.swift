import Foundation
import Glibc
import XCTest
import Identity
import Support
import TestSupport

/// Files mounted from a Kubernetes ConfigMap or Secret are symlinks through `..data`, itself a symlink to a
/// timestamped directory; an update writes a new directory and renames a new `..data` over the old one
/// (kubelet's atomic writer). The gateway's watchers must serve the new catalogue and keys after that swap, with
/// nothing else touched — the file names the config holds never change.
final class ConfigMapSwapTests: XCTestCase {
    private var harness: GatewayHarness!

    override func setUpWithError() throws {
        harness = try GatewayHarness()
    }

    override func tearDown() {
        harness?.shutdown()
    }

    /// Writes `files` into a new `..<name>` directory and points `..data` at it the way kubelet does: a new symlink
    /// renamed over the old one, so readers see either the whole old set or the whole new one.
    private func publish(_ name: String, _ files: [String: String]) throws {
        let directory = harness.path("..\(name)")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        for (file, text) in files { try AtomicFile.write(Array(text.utf8), to: directory + "/" + file) }
        let temporary = harness.path("..data_tmp")
        XCTAssertEqual(symlink("..\(name)", temporary), 0)
        XCTAssertEqual(rename(temporary, harness.path("..data")), 0)
    }

    /// Replaces a regular file by the `name -> ..data/name` symlink a ConfigMap volume holds.
    private func linkThroughData(_ name: String) throws {
        let temporary = harness.path(name + ".link")
        XCTAssertEqual(symlink("..data/" + name, temporary), 0)
        XCTAssertEqual(rename(temporary, harness.path(name)), 0)
    }

    private func openAIModels(key: String) throws -> (status: Int, ids: [String]) {
        let response = try TestHTTPClient(port: harness.port).request("GET", "/openai/v1/models", headers: [("Authorization", "Bearer \(key)")])
        let ids = (try? JSONValue.parse(response.body))?["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
        return (response.status, ids)
    }

    func testTheCatalogueAndKeysFollowTheDataSymlinkSwap() throws {
        let catalogue = try String(contentsOfFile: harness.path("catalogue.json"), encoding: .utf8)
        let keys = try String(contentsOfFile: harness.path("keys.json"), encoding: .utf8)
        try publish("2026_12_07_10_00_00.1", ["catalogue.json": catalogue, "keys.json": keys])
        try linkThroughData("catalogue.json")
        try linkThroughData("keys.json")
        XCTAssertEqual(try openAIModels(key: GatewayHarness.clientKey).status, 200)

        // The update: one more model, and a new key in place of the client key.
        let newKey = "tg-test-rotated-key-0000000000000"
        let added = GatewayHarness.model("test/after-swap", upstream: "anthropic.claude-3-haiku-20240307-v1:0")
        let newCatalogue = #"{"models": [\#((GatewayHarness.defaultModels + [added]).joined(separator: ",\n"))]}"#
        let newKeys = keys.replacingOccurrences(of: KeyHash.hash(GatewayHarness.clientKey), with: KeyHash.hash(newKey))
        try publish("2026_12_07_10_05_00.2", ["catalogue.json": newCatalogue, "keys.json": newKeys])

        XCTAssertTrue(waitUntil { (try? self.openAIModels(key: newKey).ids.contains("test/after-swap")) ?? false },
                      "the new catalogue and key are served after the swap")
        XCTAssertEqual(try openAIModels(key: GatewayHarness.clientKey).status, 401, "the rotated-out key no longer works")

        // A bad update keeps the last good set.
        try publish("2026_12_07_10_10_00.3", ["catalogue.json": #"{"models": [{"id": "broken", "type": "nonsense"}]}"#, "keys.json": newKeys])
        XCTAssertTrue(waitUntil { self.harness.log().contains("catalogue_reload_failed") && self.harness.log().contains("models[0].type") },
                      "the rejected catalogue is logged naming the field: \(harness.log())")
        XCTAssertTrue(try openAIModels(key: newKey).ids.contains("test/after-swap"), "the last good catalogue keeps serving")
    }
}
