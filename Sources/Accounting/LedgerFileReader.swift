#if canImport(Glibc)
import Glibc
#endif

/// Reads a ledger file line by line in 1 MiB blocks, so a day of records never has to fit in memory at once.
enum LedgerFileReader {
    /// Calls `body` with each line (without its newline); the last line may lack one (a torn write).
    static func forEachLine(path: String, _ body: (ArraySlice<UInt8>) -> Void) throws(LedgerError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw LedgerError(.read, path: path, errno: errno) }
        defer { close(fd) }
        var buffer: [UInt8] = []
        var block = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = block.withUnsafeMutableBytes { raw -> Int in
                while true {
                    let r = read(fd, raw.baseAddress, raw.count)
                    if r < 0 && errno == EINTR { continue }
                    return r
                }
            }
            if n < 0 { throw LedgerError(.read, path: path, errno: errno) }
            if n == 0 { break }
            buffer.append(contentsOf: block[0..<n])
            var start = buffer.startIndex
            while let newline = buffer[start...].firstIndex(of: 0x0A) {
                if newline > start { body(buffer[start..<newline]) }
                start = newline + 1
            }
            buffer.removeSubrange(0..<start)
        }
        if !buffer.isEmpty { body(buffer[...]) }
    }
}
