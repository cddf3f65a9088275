import CCrypto

/// Cryptographically secure random bytes from libcrypto's CSPRNG
/// ([RAND_bytes(3)](https://www.openssl.org/docs/man3.0/man3/RAND_bytes.html)).
public enum SecureRandom {
    /// `count` random bytes. Stops the process if the generator cannot be seeded: carrying on would hand out
    /// guessable keys.
    public static func bytes(count: Int) -> [UInt8] {
        precondition(count >= 0 && count <= Int(Int32.max), "bad random byte count \(count)")
        return [UInt8](unsafeUninitializedCapacity: count) { out, initialised in
            if count > 0 {
                precondition(RAND_bytes(out.baseAddress, Int32(count)) == 1, "RAND_bytes failed")
            }
            initialised = count
        }
    }
}
