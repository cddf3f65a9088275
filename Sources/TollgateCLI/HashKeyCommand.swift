import FoundationEssentials
import Glibc
import Identity
import Server

/// `tollgate hash-key`: reads one key from standard input (trailing newline ignored), prints what to store.
enum HashKeyCommand {
    static func run() -> Int32 {
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if n > 0 { data += chunk[..<n] } else if n == 0 || errno != EINTR { break }
        }
        var key = String(decoding: data, as: UTF8.self)
        while key.hasSuffix("\n") || key.hasSuffix("\r") { key.removeLast() }
        guard key.utf8.count >= 16 else {
            printError("tollgate: a key must be at least 16 characters (got \(key.utf8.count)); generate one with e.g. `openssl rand -hex 32`")
            return 1
        }
        print(KeyHash.hash(key))
        return 0
    }
}
