import CCurl
import CShims
import Dispatch

/// Starting, finishing, cancelling and pausing transfers.
extension UpstreamClient {
    /// Takes an easy handle, configures it and adds it to the multi handle. Returns why it could not.
    /// Must not run while libcurl is calling back.
    func start(_ transfer: UpstreamTransfer) -> UpstreamError? {
        precondition(curlDepth == 0, "curl_multi_add_handle inside a libcurl callback")
        let streaming = transfer.request.isStreaming
        let easy: CurlEasy
        if let pooled = streaming ? streamPool.popLast() : pool.popLast() {
            easy = pooled
        } else {
            guard let made = CurlEasy(streaming: streaming) else {
                return .internalError.with(message: "curl_easy_init failed")
            }
            prepare(made)
            easy = made
        }
        transfer.easy = easy
        configure(easy, for: transfer)
        let code = curl_multi_add_handle(multi, easy.handle)
        guard code == CURLM_OK else {
            return .internalError.with(message: String(cString: curl_multi_strerror(code)))
        }
        transfer.inMulti = true
        transfer.state.added()
        transfer.lastActivity = UpstreamTransfer.now
        armIdleTimerIfNeeded()
        return nil
    }

    /// libcurl reported the transfer done with `result`.
    func complete(_ transfer: UpstreamTransfer, result: CURLcode) {
        var error = transfer.abortReason
        if error == nil, result != CURLE_OK {
            error = .fromCurl(result, detail: transfer.easy?.errorText ?? "")
        }
        if error == nil { transfer.deliverHeadFromResponseCode() }
        fail(transfer, with: error)
    }

    /// Ends the transfer: frees its handle, then tells the delegate (unless it was cancelled).
    func fail(_ transfer: UpstreamTransfer, with error: UpstreamError?) {
        release(transfer)
        guard transfer.state.completed() else { return }
        let delegate = transfer.delegate
        transfer.delegate = nil
        delegate?.upstream(transfer, didFinishWith: error)
    }

    /// See `UpstreamTransfer.cancel()`.
    func cancel(_ transfer: UpstreamTransfer) {
        assertOnQueue()
        switch transfer.state.cancelRequested() {
        case .none:
            return
        case .dropWaiting:
            transfer.delegate = nil
            pendingAdds.removeAll { $0 === transfer }
            release(transfer)
        case .removeFromMulti:
            transfer.delegate = nil
            // libcurl forbids removing a handle from inside its callbacks: the callbacks of a cancelled
            // transfer abort, and the removal happens as soon as libcurl returns.
            if curlDepth > 0 { pendingRemovals.append(transfer) } else { release(transfer) }
        }
    }

    /// Removes the easy handle from the multi handle (closing an HTTP/1.1 connection mid-response),
    /// returns it to the pool, frees the header list and forgets the transfer. Idempotent.
    func release(_ transfer: UpstreamTransfer) {
        if let easy = transfer.easy {
            if transfer.inMulti {
                _ = curl_multi_remove_handle(multi, easy.handle)
                transfer.inMulti = false
            }
            transfer.easy = nil
            easy.finishTransfer()
            if !isShutDown {
                if easy.isStreaming {
                    if streamPool.count < Self.poolLimit { streamPool.append(easy) }
                } else if pool.count < Self.poolLimit {
                    pool.append(easy)
                }
            }
        }
        if let list = transfer.headerList {
            CurlHeaderList.free(list)
            transfer.headerList = nil
        }
        active.removeValue(forKey: ObjectIdentifier(transfer))
    }

    /// See `UpstreamTransfer.resume()`.
    func resume(_ transfer: UpstreamTransfer) {
        assertOnQueue()
        if transfer.state.resumeRequested() { scheduleUnpause(transfer) }
    }

    /// Unpauses from a fresh queue turn, so that neither the caller nor libcurl is re-entered.
    func scheduleUnpause(_ transfer: UpstreamTransfer) {
        queue.async { [self] in unpause(transfer) }
    }

    /// [curl_easy_pause](https://curl.se/libcurl/c/curl_easy_pause.html)`(CURLPAUSE_CONT)` (which may
    /// deliver the kept bytes at once), then a socket action so the transfer reads again.
    private func unpause(_ transfer: UpstreamTransfer) {
        guard !isShutDown, transfer.state.unpauseDue(), let easy = transfer.easy else { return }
        let now = UpstreamTransfer.now
        transfer.lastActivity = now
        callbackNow = now  // curl_easy_pause may call back with the kept bytes
        curlDepth += 1
        _ = curl_easy_pause(easy.handle, tg_pause_cont())
        curlDepth -= 1
        socketAction(tg_socket_bad(), mask: 0, now: now)
    }
}
