/// Why a TLS certificate or key could not be used, naming the setting at fault (`certificate` or `private_key`) so a
/// config problem can point at the field.
public struct TLSError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The setting at fault: `certificate` or `private_key` (empty when the cause is not one file).
    public var field: String
    /// What is wrong, in OpenSSL's words where OpenSSL found it.
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { field.isEmpty ? message : "\(field): \(message)" }
}

extension String {
    /// The text in a C buffer filled by the shim, up to its terminating NUL.
    init(nulTerminated buffer: [CChar]) {
        self.init(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
