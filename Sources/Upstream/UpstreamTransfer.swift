import CCurl
import Dispatch

/// One request in flight on an `UpstreamClient`: a libcurl easy handle in the client's multi handle.
///
/// Use it only on the client's queue. It keeps its delegate (and the client) alive until the final
/// delegate call or `cancel()`, then lets the delegate go.
public final class UpstreamTransfer: @unchecked Sendable {
    /// The client running this transfer.
    public let client: UpstreamClient
    /// The request as given to `execute`. Its body is read from here while uploading. Once the easy handle is
    /// configured the headers live in libcurl's header list and a small body in libcurl's own copy, so both are
    /// dropped from here: an open stream should not hold its request twice.
    public internal(set) var request: UpstreamRequest

    var delegate: UpstreamResponseDelegate?
    var state = UpstreamTransferState()
    /// The easy handle while the transfer holds one.
    var easy: CurlEasy?
    /// The header list given to libcurl, freed when the easy handle is recycled.
    var headerList: UnsafeMutablePointer<curl_slist>?
    /// `true` while the easy handle is added to the multi handle.
    var inMulti = false
    var headParser = ResponseHeadParser()
    var headDelivered = false
    /// Body was delivered during the libcurl call in progress (see `UpstreamClient.endDeliveryBatches`).
    var inDeliveryBatch = false
    /// Upload position in `request.body`.
    var bodyOffset = 0
    /// Monotonic nanoseconds of the last byte moved either way (for the idle timeout).
    var lastActivity: UInt64 = 0
    /// Why a callback aborted the transfer, when it was not a cancellation.
    var abortReason: UpstreamError?

    init(client: UpstreamClient, request: UpstreamRequest, delegate: UpstreamResponseDelegate) {
        self.client = client
        self.request = request
        self.delegate = delegate
    }

    /// Continues a transfer whose delegate returned `.pause`. The unconsumed bytes are delivered again
    /// from the queue soon after this returns (never inside this call), following
    /// [curl_easy_pause](https://curl.se/libcurl/c/curl_easy_pause.html). Does nothing otherwise.
    public func resume() {
        client.resume(self)
    }

    /// Stops the transfer at once, from any state: the delegate is not called again and is released.
    /// An HTTP/1.1 connection in the middle of a response is closed; an HTTP/2 stream is reset.
    public func cancel() {
        client.cancel(self)
    }

    /// `true` once the transfer finished or was cancelled.
    public var isDone: Bool { !state.isLive }
}
