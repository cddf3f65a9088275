import Dispatch

/// The idle timeout: a transfer that moves no byte for `configuration.idleTimeout` fails with
/// `timedOut`. One timer serves all transfers; it is re-armed lazily for the earliest deadline, but no
/// sooner than an eighth of the timeout, so a timeout fires at most 12.5 % late and the table of
/// transfers is scanned at most eight times per timeout period.
extension UpstreamClient {
    func armIdleTimerIfNeeded() {
        guard !idleTimerArmed, !isShutDown else { return }
        idleTimerArmed = true
        idleTimer.schedule(deadline: .now() + .nanoseconds(clampedIdleNanoseconds), leeway: .milliseconds(1))
    }

    private var clampedIdleNanoseconds: Int {
        Int(min(configuration.idleTimeout.nanoseconds, UInt64(Int.max / 2)))
    }

    func idleTimerFired() {
        idleTimerArmed = false
        guard !isShutDown else { return }
        let idle = UInt64(clampedIdleNanoseconds)
        let now = UpstreamTransfer.now
        var expired: [UpstreamTransfer] = []
        var earliest = UInt64.max
        for transfer in active.values where transfer.inMulti && !transfer.state.isPausedByDelegate {
            let deadline = transfer.lastActivity &+ idle
            if deadline <= now { expired.append(transfer) } else { earliest = min(earliest, deadline) }
        }
        let millis = configuration.idleTimeout.roundedUpMilliseconds
        for transfer in expired {
            fail(transfer, with: .timedOut.with(message: "upstream moved no byte for \(millis) ms"))
        }
        guard !active.isEmpty, !isShutDown else { return }
        let soonest = now &+ max(idle / 8, 1_000_000)
        let next = earliest == .max ? now &+ idle : max(earliest, soonest)
        idleTimerArmed = true
        idleTimer.schedule(deadline: DispatchTime(uptimeNanoseconds: next), leeway: .milliseconds(1))
    }
}
