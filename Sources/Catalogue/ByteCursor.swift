/// A forward-only read position in a string's UTF-8 bytes, for whole-string format checks written by hand.
///
/// Each step either consumes what it asks for and returns true, or returns false. A check gives up at its first
/// false, so where a failed step leaves the cursor does not matter.
struct ByteCursor {
    private let bytes: String.UTF8View
    private var position: String.UTF8View.Index

    init(_ text: String) {
        bytes = text.utf8
        position = bytes.startIndex
    }

    /// True once every byte has been consumed.
    var isAtEnd: Bool { position == bytes.endIndex }

    /// Consumes `literal` if the input continues with exactly its bytes; otherwise consumes nothing.
    mutating func expect(_ literal: StaticString) -> Bool {
        literal.withUTF8Buffer { literal in
            var i = position
            for byte in literal {
                guard i < bytes.endIndex, bytes[i] == byte else { return false }
                bytes.formIndex(after: &i)
            }
            position = i
            return true
        }
    }

    /// Consumes the longest run of bytes that satisfy `accepts` and returns its length.
    @discardableResult
    mutating func take(while accepts: (UInt8) -> Bool) -> Int {
        var length = 0
        while position < bytes.endIndex, accepts(bytes[position]) {
            bytes.formIndex(after: &position)
            length += 1
        }
        return length
    }

    /// Consumes the longest run of bytes that satisfy `accepts`; true when its length is within `lengths`.
    ///
    /// Greedy with no backtracking: it equals a pattern's `[…]{m,n}` wherever the byte after the run cannot
    /// be in the class, which is how every grammar here is built.
    mutating func take(_ lengths: some RangeExpression<Int>, while accepts: (UInt8) -> Bool) -> Bool {
        lengths.contains(take(while: accepts))
    }

    /// Consumes and returns everything left.
    mutating func takeRest() -> Substring {
        let rest = Substring(bytes[position...])
        position = bytes.endIndex
        return rest
    }
}

/// The ASCII byte classes the identifier grammars are made of.
enum ASCIIByte {
    static func isLowercaseLetter(_ b: UInt8) -> Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b) }
    static func isUppercaseLetter(_ b: UInt8) -> Bool { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(b) }
    static func isDigit(_ b: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) }

    /// `[a-z0-9]`
    static func isLowercaseAlphanumeric(_ b: UInt8) -> Bool { isLowercaseLetter(b) || isDigit(b) }
}
