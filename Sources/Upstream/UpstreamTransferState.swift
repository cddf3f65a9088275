/// The life of one transfer as a value: events in, actions out, no libcurl.
///
/// Phases and their legal transitions:
/// - `waiting`: created, not yet in the multi handle (adding is deferred while libcurl is calling
///   back). → `running` (added), → `cancelled`, → `finished` (could not start).
/// - `running`: in the multi handle, reading. → `paused` (delegate returned `.pause`),
///   → `finished`, → `cancelled`.
/// - `paused`: libcurl holds the unconsumed bytes
///   ([CURL_WRITEFUNC_PAUSE](https://curl.se/libcurl/c/CURLOPT_WRITEFUNCTION.html)). → `resuming`,
///   → `finished` (shutdown), → `cancelled`.
/// - `resuming`: `resume()` was called; `curl_easy_pause(CURLPAUSE_CONT)` is scheduled on the queue.
///   → `running`, → `finished`, → `cancelled`.
/// - `finished`, `cancelled`: terminal. No delegate call happens in either after the final one.
struct UpstreamTransferState: Equatable {
    /// Where the transfer is in its life.
    enum Phase: Equatable { case waiting, running, paused, resuming, finished, cancelled }

    /// What to answer libcurl's write callback after the delegate saw the bytes.
    enum BodyAction: Equatable {
        /// Return the byte count.
        case consume
        /// Return `CURL_WRITEFUNC_PAUSE`.
        case pause
        /// Return `CURL_WRITEFUNC_PAUSE` and schedule the unpause: `resume()` came during the call.
        case pauseAndScheduleUnpause
        /// Return 0 (abort): the delegate cancelled during the call.
        case abort
    }

    /// What `cancel()` must do.
    enum CancelAction: Equatable {
        /// Already over.
        case none
        /// Forget the not-yet-added transfer.
        case dropWaiting
        /// Remove the easy handle from the multi handle (now, or after libcurl returns).
        case removeFromMulti
    }

    private(set) var phase = Phase.waiting
    private var delivering = false
    private var resumeDuringDelivery = false

    /// `true` while the delegate may still be called.
    var isLive: Bool {
        switch phase {
        case .waiting, .running, .paused, .resuming: return true
        case .finished, .cancelled: return false
        }
    }

    /// The easy handle joined the multi handle.
    mutating func added() {
        precondition(phase == .waiting, "added() in phase \(phase)")
        phase = .running
    }

    /// The delegate is about to see body bytes. Returns `false` when it must not be called.
    mutating func willDeliverBody() -> Bool {
        guard phase == .running else { return false }
        delivering = true
        resumeDuringDelivery = false
        return true
    }

    /// The delegate returned `disposition` for the bytes.
    mutating func didDeliverBody(_ disposition: UpstreamBodyDisposition) -> BodyAction {
        precondition(delivering, "didDeliverBody without willDeliverBody in phase \(phase)")
        delivering = false
        guard phase == .running else { return .abort }
        switch disposition {
        case .consumed:
            return .consume
        case .pause:
            if resumeDuringDelivery {
                phase = .resuming
                return .pauseAndScheduleUnpause
            }
            phase = .paused
            return .pause
        }
    }

    /// `resume()` was called. Returns `true` when an unpause must be scheduled.
    mutating func resumeRequested() -> Bool {
        switch phase {
        case .paused:
            phase = .resuming
            return true
        case .running where delivering:
            resumeDuringDelivery = true
            return false
        default:
            return false
        }
    }

    /// The scheduled unpause runs. Returns `true` when `curl_easy_pause(CONT)` must be called.
    mutating func unpauseDue() -> Bool {
        guard phase == .resuming else { return false }
        phase = .running
        return true
    }

    /// `true` while the delegate holds the transfer paused (idle time does not count).
    var isPausedByDelegate: Bool { phase == .paused || phase == .resuming }

    /// `cancel()` was called.
    mutating func cancelRequested() -> CancelAction {
        switch phase {
        case .waiting:
            phase = .cancelled
            return .dropWaiting
        case .running, .paused, .resuming:
            phase = .cancelled
            return .removeFromMulti
        case .finished, .cancelled:
            return .none
        }
    }

    /// The transfer ended (libcurl finished it, it timed out, it could not start, or shutdown).
    /// Returns `true` when `didFinishWith` must be called.
    mutating func completed() -> Bool {
        guard isLive else { return false }
        phase = .finished
        return true
    }
}
