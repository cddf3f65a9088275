/// One eventstream header: a name (1–255 UTF-8 bytes) and a typed value
/// ([event stream encoding](https://docs.aws.amazon.com/transcribe/latest/dg/event-stream.html)).
public struct EventStreamHeader: Sendable, Hashable {
    /// The header name, e.g. `:event-type`.
    public var name: String
    /// The typed value.
    public var value: EventStreamHeaderValue

    /// A header from its parts.
    public init(_ name: String, _ value: EventStreamHeaderValue) {
        self.name = name
        self.value = value
    }
}
