import Foundation
import TestSupport
import XCTest
import Support

final class MoneyTests: XCTestCase {
    private let posix = Locale(identifier: "en_US_POSIX")

    private func units(_ text: String) -> Int128? { Money(text)?.units }

    private func parseError(_ text: String) -> Money.ParseError? {
        do { _ = try Money(parsing: text); return nil } catch { return error }
    }

    // MARK: Parsing

    func testParsesPlainAndExponentForms() {
        XCTAssertEqual(units("0.000003"), 3_000_000_000_000)
        XCTAssertEqual(units("3"), 3_000_000_000_000_000_000)
        XCTAssertEqual(units("3e-6"), 3_000_000_000_000)
        XCTAssertEqual(units("3E-6"), 3_000_000_000_000)
        XCTAssertEqual(units("1.5E+2"), 150_000_000_000_000_000_000)
        XCTAssertEqual(units("1.5e2"), 150_000_000_000_000_000_000)
        XCTAssertEqual(units("25e-1"), 2_500_000_000_000_000_000)
        XCTAssertEqual(units("0.0015e3"), 1_500_000_000_000_000_000)
        XCTAssertEqual(units("12.50"), 12_500_000_000_000_000_000)
        XCTAssertEqual(units("007"), 7_000_000_000_000_000_000, "leading zeros are read")
        XCTAssertEqual(units("0.000000000000000001"), 1)
        XCTAssertEqual(units("1e-18"), 1)
        XCTAssertEqual(units("10e-19"), 1)
        XCTAssertEqual(units("1000000000000000000000e-39"), 1)
        XCTAssertEqual(units("123456789.123456789123456789"), 123_456_789_123_456_789_123_456_789)
    }

    func testParsesNegativesAndZeros() {
        XCTAssertEqual(units("-12.5"), -12_500_000_000_000_000_000)
        XCTAssertEqual(units("-1e-18"), -1)
        for zero in ["0", "-0", "0.000", "0e0", "0e999999999999999999999999", "0.0000000000000000000000000000e-5", "000", "-0.0E+7"] {
            XCTAssertEqual(Money(zero), .zero, zero)
            XCTAssertEqual(Money(zero)?.description, "0", zero)
        }
    }

    func testEighteenFractionalDigitsAtMost() {
        XCTAssertEqual(units("0.123456789012345678"), 123_456_789_012_345_678)
        XCTAssertEqual(parseError("0.1234567890123456789"), .tooManyFractionDigits)
        XCTAssertEqual(parseError("0.0000000000000000001"), .tooManyFractionDigits)
        XCTAssertEqual(parseError("1e-19"), .tooManyFractionDigits)
        XCTAssertEqual(parseError("-1e-19"), .tooManyFractionDigits)
        XCTAssertEqual(parseError("1.5e-18"), .tooManyFractionDigits)
        XCTAssertEqual(parseError("1e-99999999999999999999999"), .tooManyFractionDigits)
        XCTAssertEqual(parseError("1234567890123456789012345678901234567890123456789.0000000000000000000001"),
                       .tooManyFractionDigits)
        // Trailing zeros do not count.
        XCTAssertEqual(units("1.000000000000000000000000000000"), 1_000_000_000_000_000_000)
        XCTAssertEqual(units("0.1234567890123456780000"), 123_456_789_012_345_678)
    }

    func testRangeLimits() {
        XCTAssertEqual(Money("170141183460469231731.687303715884105727"), .max)
        XCTAssertEqual(Money("-170141183460469231731.687303715884105727"), .min)
        XCTAssertEqual(parseError("170141183460469231731.687303715884105728"), .outOfRange)
        XCTAssertEqual(parseError("-170141183460469231731.687303715884105728"), .outOfRange)
        XCTAssertEqual(units("1.7e20"), 170_000_000_000_000_000_000_000_000_000_000_000_000)
        XCTAssertEqual(parseError("1.8e20"), .outOfRange)
        XCTAssertEqual(parseError("1e21"), .outOfRange)
        XCTAssertEqual(parseError("1e400"), .outOfRange)
        XCTAssertEqual(parseError("1e99999999999999999999999"), .outOfRange)
        XCTAssertEqual(parseError("123456789012345678901234567890123456789012345"), .outOfRange)
        XCTAssertEqual(Money("100000000000000000000"), Money(100_000_000_000_000_000).multiplied(by: 1000))
        XCTAssertEqual(Money(Int.max).units, Int128(Int.max) * 1_000_000_000_000_000_000)
        XCTAssertEqual(Money(Int.min).units, Int128(Int.min) * 1_000_000_000_000_000_000)
    }

    func testRejectsGarbage() {
        for text in ["", "-", "+5", ".5", "5.", "1e", "1e+", "1E-", "abc", " 1", "1 ", "1.2.3", "0x10", "1,5", "NaN", "Infinity",
                     "--1", "1e5.5", "1_000", "١", "½", "1e-", "-.5", "e5"] {
            XCTAssertEqual(parseError(text), .notANumber, text)
            XCTAssertNil(Money(text), text)
        }
        XCTAssertEqual(Money.ParseError.tooManyFractionDigits.description, "more than 18 decimal places")
        XCTAssertEqual(Money.ParseError.outOfRange.description,
                       "out of range (the largest amount is 170141183460469231731.687303715884105727)")
    }

    /// `init(rounding:)` reads what `init(parsing:)` refuses for precision, rounded half to even at 10⁻¹⁸.
    func testRoundingParse() {
        let cases: [(String, String)] = [
            ("0.33333333333333333333333333333333333333", "0.333333333333333333"),
            ("0.66666666666666666666666666666666666667", "0.666666666666666667"),
            ("-0.66666666666666666666666666666666666667", "-0.666666666666666667"),
            ("0.0000000000000000005", "0"), ("0.0000000000000000015", "0.000000000000000002"),
            ("0.0000000000000000025", "0.000000000000000002"), ("0.00000000000000000250000000000001", "0.000000000000000003"),
            ("0.0000000000000000004999", "0"), ("-0.0000000000000000001", "0"),
            ("1.5e-18", "0.000000000000000002"), ("2.5E-18", "0.000000000000000002"), ("25e-19", "0.000000000000000002"),
            ("0.0000000000000000009999999999999999999999999999999999999999999999999999999999", "0.000000000000000001"),
            ("1e-99999999999999999999999", "0"),
            ("12345.6789012345678901234567890", "12345.678901234567890123"),
            ("170141183460469231731.6873037158841057274", "170141183460469231731.687303715884105727"),
            ("0.000123", "0.000123"), ("3e-6", "0.000003"), ("-0", "0"),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(Money(rounding: text)?.description, expected, text)
        }
        XCTAssertNil(Money(rounding: "170141183460469231731.6873037158841057275"), "rounds beyond max")
        XCTAssertNil(Money(rounding: "1e21"))
        XCTAssertNil(Money(rounding: "abc"))
        XCTAssertNil(Money(rounding: "1.2.3"))
    }

    // MARK: Text

    /// `Decimal.description` of the same text is the oracle: the ledger's cost text must not change.
    func testDescriptionMatchesDecimal() {
        let table = ["0", "1", "-1", "0.5", "-0.5", "0.000123", "0.00000075", "12.5", "250", "1e3", "100", "1.50", "0.1",
                     "0.000000000000000001", "-0.000000000000000001", "0.999999999999999999", "18.446744073709551615",
                     "18.446744073709551616", "18.4467440737095516", "9223372036854775807", "9223372036854775808",
                     "18446744073709551615", "18446744073709551616", "1000000000000000000", "999999999999999999.999999999999999999",
                     "100000000000000000000", "-100000000000000000000.000000000000000001", "123456789012345678901.5",
                     "170141183460469231731.687303715884105727", "-170141183460469231731.687303715884105727",
                     "0.1000000000000000000", "3.141592653589793238", "3.14159265358979323800000", "1.00000000000000001", "0.10203040506070809"]
        for text in table {
            guard let money = Money(text) else { XCTFail("\(text) not read"); continue }
            let oracle = Decimal(string: text, locale: posix)!.description
            XCTAssertEqual(money.description, oracle, text)
            var bytes = Array("x".utf8)
            money.write(into: &bytes)
            XCTAssertEqual(String(decoding: bytes, as: UTF8.self), "x" + oracle, text)
            XCTAssertEqual(Money(money.description), money, "round trip of \(text)")
        }
    }

    func testRandomTextMatchesDecimal() {
        var rng = SplitMix64(seed: 0x6d6f_6e65_79)
        for _ in 0..<4_000 {
            // At most 38 digits (what Decimal holds exactly), sometimes with trailing zeros (which may reach past
            // the 18th fractional digit), placed anywhere in Money's range.
            let zeros = Int.random(in: 0..<5, using: &rng) == 0 ? Int.random(in: 1...4, using: &rng) : 0
            let digits = Int.random(in: 1...(38 - zeros), using: &rng)
            var significand = String(Int.random(in: 1...9, using: &rng))
            for _ in 1..<digits { significand += String(Int.random(in: 0...9, using: &rng)) }
            significand += String(repeating: "0", count: zeros)
            let total = significand.count
            let fraction = Int.random(in: max(0, total - 21)...min(18 + zeros, total + 17), using: &rng)
            var text: String
            switch Int.random(in: 0..<3, using: &rng) {
            case 0:  // plain, point placed `fraction` digits from the end (padded with leading zeros)
                let padded = String(repeating: "0", count: max(0, fraction + 1 - significand.count)) + significand
                let cut = padded.index(padded.endIndex, offsetBy: -fraction)
                text = fraction == 0 ? padded : padded[..<cut] + "." + padded[cut...]
            case 1:  // exponent form
                text = significand + "e" + String(-fraction)
            default:  // one digit before the point, exponent
                let exponent = significand.count - 1 - fraction
                text = String(significand.prefix(1)) + (significand.count > 1 ? "." + significand.dropFirst() : "")
                    + (Bool.random(using: &rng) ? "E" : "e") + (exponent >= 0 ? "+" : "") + String(exponent)
            }
            if Bool.random(using: &rng) { text = "-" + text }
            guard let money = Money(text) else {
                // Only values beyond 1.7e20 may be refused.
                XCTAssertEqual(parseError(text), .outOfRange, text)
                continue
            }
            let oracle = Decimal(string: text, locale: posix)!
            XCTAssertEqual(money.description, oracle.description, text)
            var bytes: [UInt8] = []
            money.write(into: &bytes)
            XCTAssertEqual(bytes, Array(oracle.description.utf8), text)
            XCTAssertEqual(Money(money.description), money, text)
        }
    }

    func testRandomUnitsRoundTrip() {
        var rng = SplitMix64(seed: 18)
        for _ in 0..<4_000 {
            let value = Money(units: randomUnits(&rng))
            let text = value.description
            XCTAssertEqual(Money(text), value, text)
            XCTAssertFalse(text.contains("e"), text)
            if text.contains(".") { XCTAssertFalse(text.hasSuffix("0"), text) }
            // Decimal holds 38 digits; beyond that it rounds, so compare only where it is exact.
            if text.filter(\.isNumber).count <= 38 {
                XCTAssertEqual(Decimal(string: text, locale: posix)!.description, text)
            }
        }
    }

    // MARK: Arithmetic

    func testAdditionSubtractionAndComparison() {
        let a = Money("0.1")!, b = Money("0.2")!
        XCTAssertEqual(a + b, Money("0.3"), "exact, unlike Double")
        XCTAssertEqual((a - b).description, "-0.1")
        XCTAssertEqual(-a, Money("-0.1"))
        var sum: Money = 0
        for _ in 0..<1_000 { sum += Money("0.000001")! }
        XCTAssertEqual(sum, Money("0.001"))
        sum -= Money("0.001")!
        XCTAssertEqual(sum, .zero)
        XCTAssertTrue(a < b)
        XCTAssertTrue(Money("-1")! < .zero)
        XCTAssertTrue(Money("-1")!.isNegative)
        XCTAssertEqual([b, Money("-5")!, a].sorted(), [Money("-5")!, a, b])
        XCTAssertEqual(Money(3), 3)
        XCTAssertEqual(Money.zero, 0)
        // Saturation instead of a trap.
        XCTAssertEqual(Money.max + Money(units: 1), .max)
        XCTAssertEqual(Money.min - Money(units: 1), .min)
        XCTAssertEqual(Money.min + Money(units: -1), .min, "−2¹²⁷ units is beyond −max too")
        XCTAssertEqual(Money(units: .min) + .zero, .min)
        XCTAssertEqual(Money.min + Money(units: -5), .min)
        XCTAssertEqual(Money.max - Money(units: -1), .max)
        XCTAssertEqual(Money.max + Money.min, .zero)
        XCTAssertEqual(-Money(units: .min), .max)
        XCTAssertEqual(Money(units: .min).description, "-170141183460469231731.687303715884105728")
    }

    func testMultipliedAndDivided() {
        XCTAssertEqual(Money("0.25")!.multiplied(by: 3, dividedBy: 1_000_000), Money("0.00000075"))
        XCTAssertEqual(Money("3")!.multiplied(by: 1_234, dividedBy: 1_000_000).description, "0.003702")
        XCTAssertEqual(Money("0.04")!.multiplied(by: 3), Money("0.12"))
        XCTAssertEqual(Money("15")!.multiplied(by: 1, dividedBy: 3), 5)
        XCTAssertEqual(Money("1")!.multiplied(by: 1, dividedBy: 3).description, "0.333333333333333333")
        XCTAssertEqual(Money("2")!.multiplied(by: 1, dividedBy: 3).description, "0.666666666666666667")
        XCTAssertEqual(Money("-2")!.multiplied(by: 1, dividedBy: 3).description, "-0.666666666666666667")
        XCTAssertEqual(Money("2")!.multiplied(by: -1, dividedBy: 3).description, "-0.666666666666666667")
        XCTAssertEqual(Money("2")!.multiplied(by: 1, dividedBy: -3).description, "-0.666666666666666667")
        XCTAssertEqual(Money("-2")!.multiplied(by: -1, dividedBy: -3).description, "-0.666666666666666667")
        XCTAssertEqual(Money("-2")!.multiplied(by: -1, dividedBy: 3).description, "0.666666666666666667")
        XCTAssertEqual(Money.zero.multiplied(by: 5, dividedBy: 7), .zero)
        XCTAssertEqual(Money(5).multiplied(by: 0, dividedBy: 7), .zero)
    }

    /// Ties go to the even neighbour, in both directions and for both signs.
    func testRoundsHalfToEven() {
        func r(_ units: Int128, _ factor: Int, _ divisor: Int) -> Int128 {
            Money(units: units).multiplied(by: factor, dividedBy: divisor).units
        }
        XCTAssertEqual(r(1, 1, 2), 0)   // 0.5 → 0
        XCTAssertEqual(r(3, 1, 2), 2)   // 1.5 → 2
        XCTAssertEqual(r(5, 1, 2), 2)   // 2.5 → 2
        XCTAssertEqual(r(7, 1, 2), 4)   // 3.5 → 4
        XCTAssertEqual(r(-5, 1, 2), -2)
        XCTAssertEqual(r(-7, 1, 2), -4)
        XCTAssertEqual(r(1, 1, 3), 0)   // 0.33 → 0
        XCTAssertEqual(r(2, 1, 3), 1)   // 0.67 → 1
        XCTAssertEqual(r(5, 5, 10), 2)  // 2.5 → 2
        XCTAssertEqual(r(15, 1, 10), 2) // 1.5 → 2
        XCTAssertEqual(r(25, 1, 10), 2) // 2.5 → 2
        XCTAssertEqual(r(251, 1, 100), 3)
        XCTAssertEqual(r(249, 1, 100), 2)
        // A 10⁻¹⁹ price component: 0.000003 per 10⁹ units × 1 unit = 3 × 10⁻¹⁵ exact; × 1 ÷ 7 rounds.
        XCTAssertEqual(Money("0.000003")!.multiplied(by: 1, dividedBy: 1_000_000_000).description, "0.000000000000003")
        XCTAssertEqual(Money("0.000003")!.multiplied(by: 1, dividedBy: 7).description, "0.000000428571428571")
    }

    /// Random operands: the result is the nearest multiple of 10⁻¹⁸, ties to even.
    func testRandomMultiplyDivideIsCorrectlyRounded() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<4_000 {
            let units = Int128(Int64.random(in: -1_000_000_000_000_000_000...1_000_000_000_000_000_000, using: &rng))
            let factor = Int.random(in: -10_000_000...10_000_000, using: &rng)
            let divisor = [1, 2, 3, 7, 10, 1_000, 1_000_000, 999_983, 1_000_000_000][Int.random(in: 0..<9, using: &rng)]
                * (Bool.random(using: &rng) ? 1 : -1)
            let result = Money(units: units).multiplied(by: factor, dividedBy: divisor).units
            let exact = units * Int128(factor)  // below 2⁹⁰: exact
            let error = result * Int128(divisor) - exact  // result − exact/divisor, scaled by divisor
            let twice = 2 * error.magnitude, d = UInt128(divisor.magnitude)
            XCTAssertLessThanOrEqual(twice, d, "\(units) × \(factor) ÷ \(divisor) = \(result)")
            if twice == d { XCTAssertEqual(result & 1, 0, "tie to even: \(units) × \(factor) ÷ \(divisor)") }
        }
    }

    /// Overflow saturates instead of trapping; a 192-bit product whose quotient fits is still exact.
    func testOverflowSaturates() {
        XCTAssertEqual(Money.max.multiplied(by: 2), .max)
        XCTAssertEqual(Money.max.multiplied(by: -2), .min)
        XCTAssertEqual(Money.min.multiplied(by: 2), .min)
        XCTAssertEqual(Money.min.multiplied(by: -2), .max)
        XCTAssertEqual(Money(Int.max).multiplied(by: Int.max, dividedBy: 1_000_000), .max)
        XCTAssertEqual(Money(units: .min).multiplied(by: 1), .min, "−2¹²⁷ units saturate at −max")
        // Wide product, quotient in range: exact.
        XCTAssertEqual(Money.max.multiplied(by: 2, dividedBy: 2), .max)
        XCTAssertEqual(Money.max.multiplied(by: Int.max, dividedBy: Int.max), .max)
        XCTAssertEqual(Money.min.multiplied(by: Int.max, dividedBy: -Int.max), .max)
        XCTAssertEqual(Money(100_000_000_000).multiplied(by: 1_000_000_000_000, dividedBy: 1_000_000_000_000_000),
                       100_000_000)
        XCTAssertEqual(Money(units: 3).multiplied(by: Int.max, dividedBy: Int.max - 1).units, 3)
        XCTAssertEqual(Money(units: Int128.max / 3).multiplied(by: 6, dividedBy: 4).units, Int128.max / 2)
        XCTAssertEqual(Money(units: Int128.max / 3).multiplied(by: 12, dividedBy: 8).units, Int128.max / 2)
        XCTAssertEqual(Money(units: Int128.max / 3).multiplied(by: -12, dividedBy: 8).units, -(Int128.max / 2))
        XCTAssertEqual(Money(units: Int128.max / 3 - 1).multiplied(by: 12, dividedBy: 8).units, Int128.max / 2 - 1,
                       "wide product with a tie: (2¹²⁷−5)/3 × 12 ÷ 8 = 2¹²⁶ − 2.5 → 2¹²⁶ − 2 (even)")
        // Just past the edge.
        XCTAssertEqual(Money(units: Int128.max / 2 + 1).multiplied(by: 2), .max)
        XCTAssertEqual(Money(units: Int128.max / 2).multiplied(by: 2).units, Int128.max - 1)
        // A zero divisor saturates by the sign of the product (zero stays zero).
        XCTAssertEqual(Money(1).multiplied(by: 1, dividedBy: 0), .max)
        XCTAssertEqual(Money(-1).multiplied(by: 1, dividedBy: 0), .min)
        XCTAssertEqual(Money.zero.multiplied(by: 1, dividedBy: 0), .zero)
    }

    // MARK: Double

    func testDoubleValue() {
        let cases: [(String, Double)] = [("0", 0), ("0.5", 0.5), ("-2.25", -2.25), ("0.000123", 0.000123), ("0.00000075", 0.00000075),
                                         ("1.5", 1.5), ("0.13825", 0.13825), ("100000", 100000), ("123456.789", 123456.789),
                                         ("0.000000000000000001", 1e-18), ("1234567.89", 1234567.89), ("1e20", 1e20),
                                         ("170141183460469231731.687303715884105727", 1.7014118346046923e20)]
        for (text, expected) in cases {
            XCTAssertEqual(Money(text)!.doubleValue, expected, text)
        }
        var rng = SplitMix64(seed: 53)
        for _ in 0..<4_000 {
            let money = Money(units: randomUnits(&rng))
            let nearest = Double(money.description)!
            let got = money.doubleValue
            if money.units.magnitude < 1 << 53 {
                XCTAssertEqual(got, nearest, money.description)
            } else {
                XCTAssertLessThanOrEqual(abs(got - nearest), nearest.ulp, money.description)
            }
        }
    }
}

/// A random amount in ±max with a random bit length (so every size is covered).
private func randomUnits(_ rng: inout SplitMix64) -> Int128 {
    let bits = UInt128(rng.next()) << 64 | UInt128(rng.next())
    let magnitude = Int128(bits >> Int.random(in: 1...127, using: &rng))
    return Bool.random(using: &rng) ? -magnitude : magnitude
}

