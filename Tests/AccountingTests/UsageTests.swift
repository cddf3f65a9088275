import XCTest
@testable import Accounting

final class UsageTests: XCTestCase {
    func testKindsAreDisjointAndSum() {
        let a = Usage(input: 1, output: 2, cacheRead: 3, cacheWrite5m: 4, cacheWrite1h: 5, reasoning: 6, images: 7)
        XCTAssertEqual(a.promptTokens, 1 + 3 + 4 + 5)
        XCTAssertEqual(a.totalTokens, 1 + 2 + 3 + 4 + 5 + 6)
        XCTAssertEqual(a.cacheWrite, 9)
        var b = a
        b.partial = true
        let sum = a + b
        XCTAssertTrue(sum.partial)
        for kind in Usage.Kind.allCases { XCTAssertEqual(sum[kind], 2 * a[kind], kind.rawValue) }
        XCTAssertTrue(Usage.zero.isEmpty)
        XCTAssertFalse(a.isEmpty)
    }
}
