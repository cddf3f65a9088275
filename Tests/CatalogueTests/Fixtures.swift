import Foundation
import Support
@testable import Catalogue

/// Shared helpers for catalogue tests.
enum Fixtures {
    static func json(_ text: String) -> JSONValue { try! JSONValue.parse(text) }

    static func document(_ text: String) throws -> ModelDocument { try ModelDocument(json: json(text)) }

    static func snapshot(_ texts: [String], version: UInt64 = 1) throws -> CatalogueSnapshot {
        try CatalogueSnapshot.build(documents: texts.map { try document($0) }, version: version)
    }

    /// Asserts `body` throws a `CatalogueError` with `code` at `field`.
    static func expectError(_ code: String, field: String?, file: StaticString = #filePath, line: UInt = #line,
                            _ body: () throws -> Void) {
        do {
            try body()
            XCTFail("expected \(code) at \(field ?? "-")", file: file, line: line)
        } catch let error as CatalogueError {
            XCTAssertEqual(error.name, code, "\(error)", file: file, line: line)
            XCTAssertEqual(error.field, field, "\(error)", file: file, line: line)
        } catch {
            XCTFail("unexpected \(error)", file: file, line: line)
        }
    }

    static func temporaryDirectory() throws -> String {
        let dir = NSTemporaryDirectory() + "catalogue-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static let haiku = #"""
    {"id": "anthropic.claude-3-haiku-20240307-v1:0", "type": "completion",
     "display": {"label": "Claude 3 Haiku", "brand": "Anthropic"},
     "capabilities": {"streaming": true, "tools": true},
     "limits": {"context_window": 200000, "max_output_tokens": 4096},
     "provider_config": {"provider": "bedrock", "model_id": "anthropic.claude-3-haiku-20240307-v1:0", "region": "us-east-1"},
     "pricing": {"currency": "USD", "input": {"cost": 0.25}, "output": {"cost": 1.25}},
     "tags": ["fast"]}
    """#
}

import XCTest
