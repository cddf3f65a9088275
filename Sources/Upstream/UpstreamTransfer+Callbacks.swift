import CCurl
import CShims
import Dispatch
import Glibc

/// The libcurl callbacks of one transfer. libcurl calls them from inside `curl_multi_socket_action`
/// (or `curl_easy_pause`) on the client's queue; `userdata` is the transfer, unretained, kept alive by
/// the client's table of active transfers.
extension UpstreamTransfer {
    /// Installs the write, header, read and seek callbacks with `self` as their data.
    func installCallbacks(on easy: CurlEasy) {
        let me = Unmanaged.passUnretained(self).toOpaque()
        easy.set(CURLOPT_PRIVATE, me)
        easy.set(CURLOPT_WRITEDATA, me)
        easy.set(CURLOPT_HEADERDATA, me)
        easy.set(CURLOPT_READDATA, me)
        easy.set(CURLOPT_SEEKDATA, me)
    }

    /// The callback functions, set once per handle; each finds its transfer in the user data
    /// ``installCallbacks(on:)`` sets for every transfer.
    static func installCallbackFunctions(on easy: CurlEasy) {
        _ = tg_easy_setopt_data_callback(easy.handle, CURLOPT_WRITEFUNCTION) { data, size, count, user in
            Unmanaged<UpstreamTransfer>.fromOpaque(user!).takeUnretainedValue()
                .receiveBody(UnsafeRawBufferPointer(start: data, count: size * count))
        }
        _ = tg_easy_setopt_data_callback(easy.handle, CURLOPT_HEADERFUNCTION) { data, size, count, user in
            Unmanaged<UpstreamTransfer>.fromOpaque(user!).takeUnretainedValue()
                .receiveHeaderLine(UnsafeRawBufferPointer(start: data, count: size * count))
        }
        _ = tg_easy_setopt_data_callback(easy.handle, CURLOPT_READFUNCTION) { data, size, count, user in
            Unmanaged<UpstreamTransfer>.fromOpaque(user!).takeUnretainedValue()
                .sendBody(into: UnsafeMutableRawPointer(data!), capacity: size * count)
        }
        _ = tg_easy_setopt_seek_callback(easy.handle) { user, offset, origin in
            Unmanaged<UpstreamTransfer>.fromOpaque(user!).takeUnretainedValue()
                .seekBody(to: Int(offset), origin: origin)
        }
    }

    static var now: UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// [CURLOPT_WRITEFUNCTION](https://curl.se/libcurl/c/CURLOPT_WRITEFUNCTION.html): hand bytes to the
    /// delegate; `.pause` answers `CURL_WRITEFUNC_PAUSE` and libcurl keeps the bytes for later.
    func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard !client.shutdownRequested else { return 0 }
        if !headDelivered { deliverHeadFromResponseCode() }
        guard state.willDeliverBody(), let delegate else { return 0 }
        lastActivity = client.callbackNow
        let disposition = delegate.upstream(self, didReceiveBody: bytes)
        if !inDeliveryBatch {
            inDeliveryBatch = true
            client.deliveryBatch.append(self)
        }
        switch state.didDeliverBody(disposition) {
        case .consume:
            return bytes.count
        case .pause:
            return tg_writefunc_pause()
        case .pauseAndScheduleUnpause:
            client.scheduleUnpause(self)
            return tg_writefunc_pause()
        case .abort:
            return 0
        }
    }

    /// [CURLOPT_HEADERFUNCTION](https://curl.se/libcurl/c/CURLOPT_HEADERFUNCTION.html): one line of any
    /// header block; the delegate hears about the final head only.
    func receiveHeaderLine(_ line: UnsafeRawBufferPointer) -> Int {
        guard state.isLive, !client.shutdownRequested else { return 0 }
        lastActivity = client.callbackNow
        switch headParser.consume(line: line) {
        case .needMore:
            return line.count
        case .head:
            headDelivered = true
            delegate?.upstream(self, didReceiveHead: headParser.takeHead())
            return state.isLive ? line.count : 0
        case .invalid:
            abortReason = UpstreamError.protocolError.with(message: "malformed response status line")
            return 0
        }
    }

    /// [CURLOPT_READFUNCTION](https://curl.se/libcurl/c/CURLOPT_READFUNCTION.html): copy the next part
    /// of the request body straight from `request.body` into libcurl's buffer.
    func sendBody(into buffer: UnsafeMutableRawPointer, capacity: Int) -> Int {
        guard state.isLive else { return tg_readfunc_abort() }
        lastActivity = client.callbackNow
        let count = min(capacity, request.body.count - bodyOffset)
        if count > 0 {
            request.body.withUnsafeBytes { body in
                buffer.copyMemory(from: body.baseAddress! + bodyOffset, byteCount: count)
            }
            bodyOffset += count
        }
        return count
    }

    /// [CURLOPT_SEEKFUNCTION](https://curl.se/libcurl/c/CURLOPT_SEEKFUNCTION.html): rewind the body, which
    /// libcurl needs when it resends a request on a fresh connection after a reused one died.
    func seekBody(to offset: Int, origin: Int32) -> Int32 {
        guard origin == SEEK_SET, offset >= 0, offset <= request.body.count else { return CURL_SEEKFUNC_CANTSEEK }
        bodyOffset = offset
        return CURL_SEEKFUNC_OK
    }

    /// Reports a head built from `CURLINFO_RESPONSE_CODE` when libcurl never passed a complete block
    /// (body without headers, or a response that ended inside the header block).
    func deliverHeadFromResponseCode() {
        guard !headDelivered, state.isLive, let easy else { return }
        headDelivered = true
        let head = UpstreamResponseHead(status: easy.responseCode, headers: headParser.headers)
        delegate?.upstream(self, didReceiveHead: head)
    }
}
