/// One `application/vnd.amazon.eventstream` message: ordered headers and a payload
/// ([event stream encoding](https://docs.aws.amazon.com/transcribe/latest/dg/event-stream.html)).
///
/// Bedrock's streams use the headers `:message-type` (`event` or `exception`), `:event-type` (`chunk`,
/// `messageStart`, …), `:exception-type` and `:content-type`; see ``BedrockEventStream``.
public struct EventStreamMessage: Sendable, Hashable {
    /// Headers in wire order (names may repeat; lookups take the first).
    public var headers: [EventStreamHeader]
    /// The payload bytes.
    public var payload: [UInt8]

    /// A message from its parts.
    public init(headers: [EventStreamHeader] = [], payload: [UInt8] = []) {
        self.headers = headers
        self.payload = payload
    }

    /// The value of the first header called `name`.
    public subscript(header name: String) -> EventStreamHeaderValue? {
        headers.first(where: { $0.name == name })?.value
    }

    /// `:message-type` (`event`, `exception` or `error`).
    public var messageType: String? { self[header: ":message-type"]?.stringValue }
    /// `:event-type` of an event message.
    public var eventType: String? { self[header: ":event-type"]?.stringValue }
    /// `:exception-type` of an exception message.
    public var exceptionType: String? { self[header: ":exception-type"]?.stringValue }
    /// `:content-type` of the payload.
    public var contentType: String? { self[header: ":content-type"]?.stringValue }
}
