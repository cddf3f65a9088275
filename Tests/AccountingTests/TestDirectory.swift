import Foundation
import XCTest

/// A fresh temporary directory per test, removed afterwards.
func makeTemporaryDirectory(_ name: String = "accounting") throws -> String {
    let dir = NSTemporaryDirectory() + "\(name)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// Lines of a file (without empty ones).
func lines(_ path: String) -> [String] {
    guard let data = FileManager.default.contents(atPath: path) else { return [] }
    return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
}
