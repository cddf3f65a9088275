/// Money as decimal text: parsing (exact, or rounded half to even for old ledger lines) and writing, byte by byte.
extension Money {
    /// Why decimal text is not a ``Money`` amount.
    public enum ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        /// Not decimal number text.
        case notANumber
        /// More than 18 fractional digits after dropping trailing zeros (`0.0000000000000000001`, `1e-19`).
        case tooManyFractionDigits
        /// Beyond ±``Money/max``.
        case outOfRange

        /// What a configured amount must satisfy, for errors that name the field: "must have at most 18 decimal
        /// places" or "must be at most …" (text that is not a number cannot be represented either).
        public var requirement: String {
            switch self {
            case .tooManyFractionDigits: return "must have at most \(Money.fractionDigits) decimal places"
            case .outOfRange, .notANumber: return "must be at most \(Money.max)"
            }
        }

        public var description: String {
            switch self {
            case .notANumber: return "not a decimal number"
            case .tooManyFractionDigits: return "more than \(Money.fractionDigits) decimal places"
            case .outOfRange: return "out of range (the largest amount is \(Money.max))"
            }
        }
    }

    /// Reads decimal text exactly, or nil (see ``init(parsing:)``).
    public init?(_ description: String) {
        guard let value = try? Money(parsing: description) else { return nil }
        self = value
    }

    /// Reads decimal text exactly: an optional `-`, digits (leading zeros allowed), an optional `.` and digits,
    /// an optional exponent (`e`/`E`, optional sign, digits) — every RFC 8259 number literal qualifies. Nothing is
    /// rounded: text with more than 18 fractional digits after dropping trailing zeros throws
    /// ``ParseError/tooManyFractionDigits``, text beyond ±``max`` throws ``ParseError/outOfRange``.
    public init(parsing text: String) throws(ParseError) {
        self = try Money.withBytes(text, Money.parse).get()
    }

    /// Reads decimal text like ``init(parsing:)``, but rounds a value with more than 18 fractional digits half to
    /// even at 10⁻¹⁸ instead of refusing it; nil for text that is not a number or is beyond ±``max``.
    ///
    /// For amounts written by other means than ``Money``, e.g. ledger lines from before it, when `Decimal` could
    /// write up to 38 significant digits (`0.33333333333333333333333333333333333333` for a price per 3 units).
    public init?(rounding text: String) {
        let result = Money.withBytes(text) { bytes in
            switch Money.parse(bytes) {
            case .failure(.tooManyFractionDigits): return Money.parseRounding(bytes)
            case let other: return other
            }
        }
        guard case .success(let value) = result else { return nil }
        self = value
    }

    private static func withBytes(_ text: String,
                                  _ body: (UnsafeBufferPointer<UInt8>) -> Result<Money, ParseError>) -> Result<Money, ParseError> {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        return Array(text.utf8).withUnsafeBufferPointer(body)
    }

    /// The slow path of ``init(rounding:)`` for valid text with more than 18 fractional digits: each mantissa digit's
    /// place is known from the point and the exponent, so the digits down to 10⁻¹⁸ are accumulated, the next one
    /// decides the rounding and any non-zero digit after it breaks a tie.
    private static func parseRounding(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<Money, ParseError> {
        let n = bytes.count
        let negative = bytes[0] == UInt8(ascii: "-")
        let mantissaStart = negative ? 1 : 0
        var mantissaEnd = mantissaStart, integerDigits = 0, seenPoint = false
        while mantissaEnd < n, bytes[mantissaEnd] | 0x20 != UInt8(ascii: "e") {
            if bytes[mantissaEnd] == UInt8(ascii: ".") { seenPoint = true } else if !seenPoint { integerDigits += 1 }
            mantissaEnd += 1
        }
        var exponent = 0
        if mantissaEnd < n {
            var i = mantissaEnd + 1
            let exponentNegative = bytes[i] == UInt8(ascii: "-")
            if bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") { i += 1 }
            while i < n {
                if exponent < 1 << 56 { exponent = exponent * 10 + Int(bytes[i] &- 0x30) }
                i += 1
            }
            if exponentNegative { exponent = -exponent }
        }
        // Each digit's place in 10⁻¹⁸ units (the first one's is integerDigits − 1 + exponent + 18): ≥ 0 is kept,
        // −1 decides the rounding, below that only breaks ties.
        var place = integerDigits + exponent + Money.fractionDigits
        var magnitude: UInt128 = 0, roundingDigit: UInt8 = 0, sticky = false
        for i in mantissaStart..<mantissaEnd where bytes[i] != UInt8(ascii: ".") {
            let d = bytes[i] &- 0x30
            place -= 1
            if place >= 0 {
                let (shifted, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, o2) = shifted.addingReportingOverflow(UInt128(d))
                guard !o1 && !o2 else { return .failure(.outOfRange) }
                magnitude = sum
            } else if place == -1 {
                roundingDigit = d
            } else if d != 0 {
                sticky = true
                break
            }
        }
        guard magnitude <= UInt128(Int128.max) else { return .failure(.outOfRange) }
        if roundingDigit > 5 || (roundingDigit == 5 && (sticky || magnitude & 1 == 1)) { magnitude += 1 }
        guard let value = Money.signed(magnitude, negative: negative) else { return .failure(.outOfRange) }
        return .success(value)
    }

    /// 10⁰ … 10³⁸, the powers of ten a `UInt128` holds.
    private static let powersOfTen: [UInt128] = {
        var powers: [UInt128] = [1]
        for _ in 1...38 { powers.append(powers.last! * 10) }
        return powers
    }()

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<Money, ParseError> {
        let n = bytes.count
        var i = 0
        let negative = i < n && bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        // The digits read so far are significand × 10^pendingZeros: trailing zeros are multiplied in only when a
        // non-zero digit follows, so `1.500…0` needs no more room than `1.5`.
        var significand: UInt128 = 0
        var pendingZeros = 0
        var significandOverflow = false
        var fractionDigits = 0
        func digit(_ d: UInt8) {
            if d == 0 {
                if significand != 0 || significandOverflow { pendingZeros += 1 }
                return
            }
            defer { pendingZeros = 0 }
            if significandOverflow { return }
            if pendingZeros == 0 && significand < 1 << 120 {  // the common case: no overflow possible
                significand = significand &* 10 &+ UInt128(d)
                return
            }
            if pendingZeros < 38 {
                let (shifted, o1) = significand.multipliedReportingOverflow(by: powersOfTen[pendingZeros + 1])
                let (sum, o2) = shifted.addingReportingOverflow(UInt128(d))
                if !o1 && !o2 { significand = sum; return }
            }
            significandOverflow = true
        }
        let integerStart = i
        while i < n, bytes[i] &- 0x30 < 10 { digit(bytes[i] &- 0x30); i += 1 }
        guard i > integerStart else { return .failure(.notANumber) }
        if i < n && bytes[i] == UInt8(ascii: ".") {
            i += 1
            let fractionStart = i
            while i < n, bytes[i] &- 0x30 < 10 { digit(bytes[i] &- 0x30); i += 1 }
            guard i > fractionStart else { return .failure(.notANumber) }
            fractionDigits = i - fractionStart
        }
        var exponent = 0
        if i < n && bytes[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var exponentNegative = false
            if i < n && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) {
                exponentNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            let exponentStart = i
            // Saturates far beyond any exponent text of a length that could still be compensated by digits.
            while i < n, bytes[i] &- 0x30 < 10 {
                if exponent < 1 << 56 { exponent = exponent * 10 + Int(bytes[i] &- 0x30) }
                i += 1
            }
            guard i > exponentStart else { return .failure(.notANumber) }
            if exponentNegative { exponent = -exponent }
        }
        guard i == n else { return .failure(.notANumber) }
        if significand == 0 && !significandOverflow { return .success(.zero) }
        // value = significand × 10^power, the significand's last digit non-zero.
        let power = pendingZeros + exponent - fractionDigits
        let shift = power + Money.fractionDigits
        guard shift >= 0 else { return .failure(.tooManyFractionDigits) }
        guard !significandOverflow, shift <= 38 else { return .failure(.outOfRange) }
        let (magnitude, overflow) = significand.multipliedReportingOverflow(by: powersOfTen[shift])
        guard !overflow, let value = Money.signed(magnitude, negative: negative) else { return .failure(.outOfRange) }
        return .success(value)
    }

    /// Plain decimal text: `0.000123`, `-12.5`, `250`, `0` (see the type's documentation).
    public var description: String {
        // Rendered on the stack: `String(decoding:)` then makes a small (inline) string for up to 15 bytes.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Money.maxTextLength) { buffer in
            let count = render(into: buffer)
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[..<count]), as: UTF8.self)
        }
    }

    /// Appends ``description``'s UTF-8 bytes to `out` without making a `String`.
    public func write(into out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Money.maxTextLength) { buffer in
            let count = render(into: buffer)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// `-`, 21 integer digits, `.`, 18 fractional digits.
    private static let maxTextLength = 41

    /// Writes the text at the start of `buffer` (at least ``maxTextLength`` bytes); returns its length.
    ///
    /// The magnitude is cut into base-10¹⁸ chunks (at most two `UInt128` divisions, none below 1.8 × 10¹⁹ units,
    /// i.e. amounts below 18.4), and each chunk is printed with 64-bit arithmetic.
    private func render(into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let chunk: UInt64 = 1_000_000_000_000_000_000
        let magnitude = units.magnitude
        var high: UInt64 = 0, whole: UInt64, fraction: UInt64
        if magnitude <= UInt128(UInt64.max) {
            let m = UInt64(truncatingIfNeeded: magnitude)
            (whole, fraction) = (m / chunk, m % chunk)
        } else {
            let (q, r) = magnitude.quotientAndRemainder(dividingBy: UInt128(chunk))
            fraction = UInt64(truncatingIfNeeded: r)
            let (qHigh, qLow) = q.quotientAndRemainder(dividingBy: UInt128(chunk))  // qHigh ≤ 170
            high = UInt64(truncatingIfNeeded: qHigh)
            whole = UInt64(truncatingIfNeeded: qLow)
        }
        var at = 0
        if units < 0 { buffer[0] = UInt8(ascii: "-"); at = 1 }
        if high != 0 {
            at = Money.writeDigits(high, width: Money.digitCount(high), into: buffer, at: at)
            at = Money.writeDigits(whole, width: 18, into: buffer, at: at)
        } else {
            at = Money.writeDigits(whole, width: Money.digitCount(whole), into: buffer, at: at)
        }
        if fraction != 0 {
            var width = 18
            // Drop trailing zeros in binary-sized steps (at most 17 of them).
            if fraction % 10_000_000_000_000_000 == 0 { fraction /= 10_000_000_000_000_000; width -= 16 }
            if fraction % 100_000_000 == 0 { fraction /= 100_000_000; width -= 8 }
            if fraction % 10_000 == 0 { fraction /= 10_000; width -= 4 }
            if fraction % 100 == 0 { fraction /= 100; width -= 2 }
            if fraction % 10 == 0 { fraction /= 10; width -= 1 }
            buffer[at] = UInt8(ascii: ".")
            at = Money.writeDigits(fraction, width: width, into: buffer, at: at + 1)
        }
        return at
    }

    /// "00", "01", … "99": two digits per lookup.
    private static var digitPairs: StaticString {
        """
        00010203040506070809101112131415161718192021222324252627282930313233343536373839\
        40414243444546474849505152535455565758596061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899
        """
    }

    /// Decimal digits of `value` (1 for zero).
    private static func digitCount(_ value: UInt64) -> Int {
        var count = 1, v = value
        while v >= 100 { v /= 100; count += 2 }
        return v >= 10 ? count + 1 : count
    }

    /// Writes `value` as exactly `width` digits (zero-padded) at `at`; returns the index after them.
    private static func writeDigits(_ value: UInt64, width: Int, into buffer: UnsafeMutableBufferPointer<UInt8>,
                                    at: Int) -> Int {
        let end = at + width
        let pairs = Money.digitPairs.utf8Start
        var v = value, i = end
        while i - at >= 2 {
            let pair = Int(truncatingIfNeeded: v % 100) &* 2
            v /= 100
            buffer[i - 1] = pairs[pair &+ 1]
            buffer[i - 2] = pairs[pair]
            i -= 2
        }
        if i > at { buffer[i - 1] = 0x30 &+ UInt8(truncatingIfNeeded: v % 10) }
        return end
    }
}
