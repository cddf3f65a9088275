import XCTest
@testable import AWS

final class HMACTests: XCTestCase {
    // RFC 4231 test cases 1, 2 and 6 (key longer than the block size).
    func testRFC4231Vectors() {
        XCTAssertEqual(Hex.encode(HMAC.sha256(key: [UInt8](repeating: 0x0b, count: 20), data: "Hi There")),
                       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        XCTAssertEqual(Hex.encode(HMAC.sha256(key: Array("Jefe".utf8), data: "what do ya want for nothing?")),
                       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        XCTAssertEqual(Hex.encode(HMAC.sha256(key: [UInt8](repeating: 0xaa, count: 131),
                                              data: "Test Using Larger Than Block-Size Key - Hash Key First")),
                       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    func testEmptyKeyAndData() {
        XCTAssertEqual(Hex.encode(HMAC.sha256(key: [], data: [])),
                       "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }
}
