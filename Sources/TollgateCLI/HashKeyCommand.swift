import Foundation
import Gateway

/// `tollgate hash-key`: reads one key from standard input (trailing newline ignored), prints what to store.
enum HashKeyCommand {
    static func run() -> Int32 {
        let data = FileHandle.standardInput.readDataToEndOfFile()
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
