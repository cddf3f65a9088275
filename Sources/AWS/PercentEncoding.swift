/// Percent-encoding as SigV4 defines `UriEncode`
/// ([create a signed request](https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html)):
/// every byte outside the unreserved set `A-Z a-z 0-9 - . _ ~` becomes `%XX` with upper-case hex.
enum PercentEncoding {
    private static let upperHex: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// True for RFC 3986 unreserved characters.
    @inline(__always)
    static func isUnreserved(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Appends the encoding of `bytes` to `out`; `/` is kept as is when `keepSlash` (paths).
    static func encode<Bytes: Sequence>(_ bytes: Bytes, keepSlash: Bool, into out: inout [UInt8])
    where Bytes.Element == UInt8 {
        for c in bytes {
            if isUnreserved(c) || (keepSlash && c == UInt8(ascii: "/")) {
                out.append(c)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(upperHex[Int(c >> 4)])
                out.append(upperHex[Int(c & 0x0F)])
            }
        }
    }

    /// The encoding of `string`'s UTF-8 bytes as a string.
    static func encode(_ string: String, keepSlash: Bool = false) -> String {
        var out = [UInt8]()
        out.reserveCapacity(string.utf8.count)
        encode(string.utf8, keepSlash: keepSlash, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes `%XX` escapes. With `strict`, a `%` not followed by two hex digits makes the result nil;
    /// otherwise it is kept literally. `+` is not a space here (SigV4 and URI paths do not use form encoding).
    static func decode<Bytes: Collection>(_ bytes: Bytes, strict: Bool) -> [UInt8]? where Bytes.Element == UInt8 {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i != bytes.endIndex {
            let c = bytes[i]
            if c == UInt8(ascii: "%") {
                let h1 = bytes.index(after: i)
                if h1 != bytes.endIndex {
                    let h2 = bytes.index(after: h1)
                    if h2 != bytes.endIndex, let hi = Hex.value(of: bytes[h1]), let lo = Hex.value(of: bytes[h2]) {
                        out.append(hi << 4 | lo)
                        i = bytes.index(after: h2)
                        continue
                    }
                }
                if strict { return nil }
            }
            out.append(c)
            i = bytes.index(after: i)
        }
        return out
    }
}
