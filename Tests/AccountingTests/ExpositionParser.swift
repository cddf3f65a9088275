import XCTest
import Foundation
@testable import Accounting

/// Checks rendered output line by line against the text format's grammar
/// (https://prometheus.io/docs/instrumenting/exposition_formats/#text-format-details).
struct ExpositionParser {
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    var types: [String: String] = [:]
    var helps: [String: String] = [:]
    var samples: [Sample] = []

    init(_ text: String) throws {
        struct Invalid: Error, CustomStringConvertible { var description: String }
        var current: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
                guard parts.count >= 3, parts[0] == "#" else { continue }
                guard Self.isMetricName(parts[2]) else { throw Invalid(description: "bad name in \(line)") }
                if parts[1] == "HELP" {
                    guard helps[parts[2]] == nil else { throw Invalid(description: "second HELP for \(parts[2])") }
                    helps[parts[2]] = try Self.unescape(parts.count > 3 ? parts[3] : "", quotes: false)
                } else if parts[1] == "TYPE" {
                    guard parts.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]),
                          types[parts[2]] == nil else { throw Invalid(description: "bad TYPE \(line)") }
                    types[parts[2]] = parts[3]
                    current = parts[2]
                }
                continue
            }
            var s = Substring(line)
            let name = String(s.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" })
            guard Self.isMetricName(name) else { throw Invalid(description: "bad sample name in \(line)") }
            s = s.dropFirst(name.count)
            var labels: [String: String] = [:]
            if s.first == "{" {
                s = s.dropFirst()
                while s.first != "}" {
                    let label = String(s.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
                    guard !label.isEmpty, !(label.first!.isNumber) else { throw Invalid(description: "bad label name in \(line)") }
                    s = s.dropFirst(label.count)
                    guard s.hasPrefix("=\"") else { throw Invalid(description: "expected =\" in \(line)") }
                    s = s.dropFirst(2)
                    var raw = ""
                    while let c = s.first, c != "\"" {
                        raw.append(c)
                        s = s.dropFirst()
                        if c == "\\", let next = s.first { raw.append(next); s = s.dropFirst() }
                    }
                    guard s.first == "\"" else { throw Invalid(description: "unterminated value in \(line)") }
                    s = s.dropFirst()
                    guard labels[label] == nil else { throw Invalid(description: "repeated label in \(line)") }
                    labels[label] = try Self.unescape(raw, quotes: true)
                    if s.first == "," { s = s.dropFirst() } else if s.first != "}" { throw Invalid(description: "expected , or } in \(line)") }
                }
                s = s.dropFirst()
            }
            guard s.first == " " else { throw Invalid(description: "expected space in \(line)") }
            let fields = s.dropFirst().split(separator: " ")
            guard (1...2).contains(fields.count), let value = Self.float(String(fields[0])) else {
                throw Invalid(description: "bad value in \(line)")
            }
            guard let family = current, name == family || (types[family] == "histogram"
                  && [family + "_bucket", family + "_sum", family + "_count"].contains(name)) else {
                throw Invalid(description: "sample \(name) outside its family's TYPE block")
            }
            samples.append(Sample(name: name, labels: labels, value: value))
        }
    }

    static func isMetricName(_ s: String) -> Bool {
        guard let f = s.first, !f.isNumber else { return false }
        return s.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "_" || $0 == ":" }
    }

    static func float(_ s: String) -> Double? {
        switch s {
        case "+Inf": return .infinity
        case "-Inf": return -.infinity
        case "NaN": return .nan
        default: return Double(s)
        }
    }

    static func unescape(_ s: String, quotes: Bool) throws -> String {
        struct Invalid: Error {}
        var out = ""
        var escaped = false
        for c in s {
            if escaped {
                switch c {
                case "\\": out.append("\\")
                case "n": out.append("\n")
                case "\"" where quotes: out.append("\"")
                default: throw Invalid()
                }
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else {
                if quotes && c == "\"" { throw Invalid() }
                out.append(c)
            }
        }
        if escaped { throw Invalid() }
        return out
    }

    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }
}

