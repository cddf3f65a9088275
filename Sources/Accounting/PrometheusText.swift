/// Helpers for the Prometheus [text exposition format](https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format)
/// (version 0.0.4): name rules, escaping, and number rendering.
enum PrometheusText {
    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    static func isValidMetricName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(first &- 0x30 < 10) else { return false }
        return name.utf8.allSatisfy { isNameByte($0) || $0 == UInt8(ascii: ":") }
    }

    /// `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__` (reserved).
    static func isValidLabelName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(first &- 0x30 < 10), !name.hasPrefix("__") else { return false }
        return name.utf8.allSatisfy(isNameByte)
    }

    private static func isNameByte(_ b: UInt8) -> Bool {
        (b | 0x20) &- 0x61 < 26 || b &- 0x30 < 10 || b == UInt8(ascii: "_")
    }

    /// Appends a label value escaped: `\` → `\\`, `"` → `\"`, line feed → `\n`.
    static func appendLabelValue(_ value: String, to out: inout [UInt8]) {
        for b in value.utf8 {
            switch b {
            case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
            case 0x0A: out.append(contentsOf: #"\n"#.utf8)
            default: out.append(b)
            }
        }
    }

    /// Appends HELP text escaped: `\` → `\\`, line feed → `\n`.
    static func appendHelp(_ text: String, to out: inout [UInt8]) {
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
            case 0x0A: out.append(contentsOf: #"\n"#.utf8)
            default: out.append(b)
            }
        }
    }

    /// A sample value as Go's `ParseFloat` reads it: integers plainly, `+Inf`, `-Inf`, `NaN`.
    static func number(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return String(v)
    }

    /// Appends `{a="x",b="y"}` (nothing when there are no labels); `extra` is appended last (`le`).
    static func appendLabels(_ names: [String], _ values: [String], extra: (String, String)? = nil, to out: inout [UInt8]) {
        guard !names.isEmpty || extra != nil else { return }
        out.append(UInt8(ascii: "{"))
        for (i, name) in names.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: name.utf8)
            out.append(contentsOf: "=\"".utf8)
            appendLabelValue(values[i], to: &out)
            out.append(UInt8(ascii: "\""))
        }
        if let (name, value) = extra {
            if !names.isEmpty { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: name.utf8)
            out.append(contentsOf: "=\"".utf8)
            appendLabelValue(value, to: &out)
            out.append(UInt8(ascii: "\""))
        }
        out.append(UInt8(ascii: "}"))
    }
}
