/// An exact amount of money: a whole number of 10⁻¹⁸ currency units, kept in an `Int128` (exact, so summed costs
/// equal the priced total; never `Double`).
///
/// Every amount with at most 18 fractional digits and a magnitude below ~1.7 × 10²⁰ currency units
/// (``max``: 170141183460469231731.687303715884105727) is represented exactly, so prices read from the catalogue,
/// the costs computed from them and their sums are exact. The arithmetic is a few integer instructions, where
/// `Decimal` cost thousands per operation on the per-request path.
///
/// - Text: ``init(parsing:)`` reads decimal text (`0.000003`, `3e-6`, `1.5E+2`, `-12.50`) exactly and refuses,
///   rather than rounds, values with more than 18 fractional digits (after dropping trailing zeros) or out of
///   range. ``description`` and ``write(into:)`` give plain decimal text — no exponent, no grouping, trailing
///   fractional zeros and a bare point dropped, `-` for negatives, `0` for zero — the text `Decimal.description`
///   gives for the same value, which is what the ledger stores (`"cost":"0.000123"`). ``init(rounding:)`` reads
///   finer text rounded half to even instead.
/// - Addition and subtraction are exact; on overflow (beyond ±``max``) they saturate at ``max``/``min`` instead of
///   trapping.
/// - ``multiplied(by:dividedBy:)`` (`price × units ÷ per`) is exact when the quotient is a whole number of 10⁻¹⁸
///   units, otherwise rounded half to even at 10⁻¹⁸; results beyond ±``max`` saturate.
public struct Money: Sendable, Hashable, Comparable, AdditiveArithmetic, CustomStringConvertible,
                     LosslessStringConvertible, ExpressibleByIntegerLiteral {
    // The constants are computed properties, not `static let`s: no lazy-initialisation check where they are used.

    /// The fractional decimal digits kept: amounts are whole multiples of 10⁻¹⁸.
    @inlinable
    public static var fractionDigits: Int { 18 }
    /// 10¹⁸, the number of ``units`` in one currency unit.
    @inlinable
    public static var unitsPerWhole: Int128 { 1_000_000_000_000_000_000 }

    /// The amount in 10⁻¹⁸ currency units.
    public let units: Int128

    /// The amount of `units` × 10⁻¹⁸ currency units.
    @inlinable
    public init(units: Int128) { self.units = units }

    /// A whole number of currency units (always exact: `Int.max` × 10¹⁸ is within range).
    @inlinable
    public init(_ whole: Int) { self.units = Int128(whole) * Money.unitsPerWhole }

    /// A whole number of currency units.
    @inlinable
    public init(integerLiteral value: Int) { self.init(value) }

    /// Zero.
    @inlinable
    public static var zero: Money { Money(units: 0) }
    /// The largest amount, 170141183460469231731.687303715884105727 (`Int128.max` units).
    @inlinable
    public static var max: Money { Money(units: .max) }
    /// The smallest amount, −``max`` (so that negation never overflows).
    @inlinable
    public static var min: Money { Money(units: -.max) }

    // MARK: Arithmetic

    /// The exact sum; saturates at ``max`` / ``min`` instead of overflowing.
    @inlinable
    public static func + (lhs: Money, rhs: Money) -> Money {
        let (sum, overflow) = lhs.units.addingReportingOverflow(rhs.units)
        if _slowPath(overflow) { return rhs.units < 0 ? .min : .max }
        if _slowPath(sum == .min) { return .min }  // −2¹²⁷ units: beyond −max
        return Money(units: sum)
    }

    /// The exact difference; saturates at ``max`` / ``min`` instead of overflowing.
    @inlinable
    public static func - (lhs: Money, rhs: Money) -> Money {
        let (difference, overflow) = lhs.units.subtractingReportingOverflow(rhs.units)
        if _slowPath(overflow) { return rhs.units < 0 ? .max : .min }
        if _slowPath(difference == .min) { return .min }  // −2¹²⁷ units: beyond −max
        return Money(units: difference)
    }

    @inlinable
    public static func += (lhs: inout Money, rhs: Money) { lhs = lhs + rhs }

    @inlinable
    public static func -= (lhs: inout Money, rhs: Money) { lhs = lhs - rhs }

    /// The negated amount (``max`` for an amount of `Int128.min` units, which only ``init(units:)`` can make).
    @inlinable
    public static prefix func - (value: Money) -> Money {
        value.units == .min ? .max : Money(units: -value.units)
    }

    @inlinable
    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.units < rhs.units }

    /// True for amounts below zero.
    @inlinable
    public var isNegative: Bool { units < 0 }

    /// `self × factor`, exact; saturates at ``max`` / ``min``.
    public func multiplied(by factor: Int) -> Money { multiplied(by: factor, dividedBy: 1) }

    /// `self × factor ÷ divisor` — a price of `self` per `divisor` units applied to `factor` units.
    ///
    /// The product is formed exactly (up to 192 bits), then divided once: the result is exact when it is a whole
    /// number of 10⁻¹⁸ units, otherwise rounded to the nearest 10⁻¹⁸, ties to even (so at most 0.5 × 10⁻¹⁸ off,
    /// with no bias over many records). A result beyond ±``max``, or a zero `divisor` with a non-zero product,
    /// saturates at ``max`` / ``min`` by the sign of the result instead of trapping.
    public func multiplied(by factor: Int, dividedBy divisor: Int) -> Money {
        let negative = ((units < 0) != (factor < 0)) != (divisor < 0)
        let a = units.magnitude, b = UInt128(factor.magnitude), d = UInt128(divisor.magnitude)
        if a == 0 || b == 0 { return .zero }
        let saturated: Money = negative ? .min : .max
        if d == 0 { return saturated }
        var quotient: UInt128, remainder: UInt128
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        if _fastPath(!overflow) {
            if d == 1 { return Money.signed(product, negative: negative) ?? saturated }
            (quotient, remainder) = product.quotientAndRemainder(dividingBy: d)
        } else {
            let wide = a.multipliedFullWidth(by: b)
            // The quotient fits 128 bits only when the high half is below the divisor.
            if wide.high >= d { return saturated }
            (quotient, remainder) = d.dividingFullWidth(wide)
        }
        guard quotient <= UInt128(Int128.max) else { return saturated }
        if remainder != 0 {
            // remainder < d ≤ 2⁶³, so doubling it cannot overflow.
            let twice = remainder << 1
            if twice > d || (twice == d && quotient & 1 == 1) { quotient += 1 }
        }
        return Money.signed(quotient, negative: negative) ?? saturated
    }

    /// `magnitude` with a sign, or nil when beyond ``max``.
    static func signed(_ magnitude: UInt128, negative: Bool) -> Money? {
        guard magnitude <= UInt128(Int128.max) else { return nil }
        let value = Int128(magnitude)
        return Money(units: negative ? -value : value)
    }

    // MARK: Double

    /// The nearest `Double`, for float-valued metrics only (never for money arithmetic).
    ///
    /// Correctly rounded when the amount, without trailing zeros at 10⁻⁹ or 10⁻¹⁸ granularity, has a significand
    /// below 2⁵³ (amounts below 0.009, amounts with at most 9 fractional digits below 9 × 10⁶, whole amounts);
    /// otherwise within one unit in the last place. Integer arithmetic and at most one division: no text, and not
    /// the standard library's generic `Double(Int128)`, which costs hundreds of nanoseconds.
    public var doubleValue: Double {
        let magnitude = units.magnitude, billion: UInt128 = 1_000_000_000
        let value: Double
        if magnitude < 1 << 53 {
            value = Double(UInt64(truncatingIfNeeded: magnitude)) / 1e18  // both exact: one rounding
        } else {
            let (q9, r9) = magnitude.quotientAndRemainder(dividingBy: billion)
            if r9 == 0 && q9 < 1 << 53 {
                value = Double(UInt64(truncatingIfNeeded: q9)) / 1e9
            } else if r9 == 0 && q9 % billion == 0 {
                value = Money.double(q9 / billion)  // a whole amount
            } else {
                value = Money.double(magnitude) / 1e18  // two roundings
            }
        }
        return units < 0 ? -value : value
    }

    /// `value` correctly rounded to `Double`: the top 64 bits, with a sticky bit for the rest, then scaled.
    private static func double(_ value: UInt128) -> Double {
        if value <= UInt128(UInt64.max) { return Double(UInt64(truncatingIfNeeded: value)) }
        let zeros = value.leadingZeroBitCount  // < 64
        let normalized = value << zeros
        var top = UInt64(truncatingIfNeeded: normalized >> 64)
        if UInt64(truncatingIfNeeded: normalized) != 0 { top |= 1 }
        return Double(top) * Double(sign: .plus, exponent: 64 - zeros, significand: 1)
    }
}
