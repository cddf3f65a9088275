/// Receives the response of one `UpstreamTransfer`, always on the client's queue.
///
/// The order is: `didReceiveHead` once, `didReceiveBody` zero or more times, `didFinishWith` exactly
/// once. After `UpstreamTransfer.cancel()` nothing more is called. The transfer keeps its delegate
/// alive until the last call, then lets it go.
///
/// libcurl often hands over several pieces of body in one go (one socket event, read in buffer-sized parts);
/// `upstreamDidDeliverBatch` follows the last piece of each such batch, before any `didFinishWith`, so a relay can
/// gather the pieces and pass them on in one write.
public protocol UpstreamResponseDelegate: AnyObject {
    /// The final response head arrived (interim 1xx blocks are skipped).
    func upstream(_ transfer: UpstreamTransfer, didReceiveHead head: UpstreamResponseHead)
    /// A piece of body arrived. The buffer is only valid during the call. Return `.pause` to leave the
    /// bytes unconsumed and pause; they are delivered again after `resume()`.
    func upstream(_ transfer: UpstreamTransfer, didReceiveBody bytes: UnsafeRawBufferPointer) -> UpstreamBodyDisposition
    /// The transfer ended: `nil` when the whole response was received, else why it failed.
    func upstream(_ transfer: UpstreamTransfer, didFinishWith error: UpstreamError?)
    /// The body pieces delivered since the last batch are all there is for now (optional).
    func upstreamDidDeliverBatch(_ transfer: UpstreamTransfer)
}

extension UpstreamResponseDelegate {
    public func upstreamDidDeliverBatch(_ transfer: UpstreamTransfer) {}
}
