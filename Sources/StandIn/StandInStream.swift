import AWS
import Dispatch
import HTTP

/// The frames of one streamed answer, made one at a time as the stream is written: a large scripted reply has
/// tens of thousands of frames, and building them all before the first byte would keep the client waiting.
struct StandInFrames {
    let count: Int
    let frame: (Int) -> EventStreamMessage
}

/// Writes eventstream frames to a client with backpressure, optionally dripping them or breaking off with an
/// exception frame, as a scripted rule asks. Lives on the request's loop.
final class StandInStream: @unchecked Sendable {
    private let writer: HTTPResponseWriter
    private let frames: StandInFrames
    private let rule: StandInRule?
    private weak var owner: StandInServer?
    private let headers: HTTPHeaders
    private var next = 0
    private var blocked = false

    init(writer: HTTPResponseWriter, frames: StandInFrames, rule: StandInRule?, owner: StandInServer, headers: HTTPHeaders) {
        self.writer = writer
        self.frames = frames
        self.rule = rule
        self.owner = owner
        self.headers = headers
    }

    func start() {
        writer.onClose = { [self] in
            setBlocked(false)
            owner?.state.withLock { $0.stats.clientDisconnects += 1 }
        }
        writer.onWritable = { [self] in
            setBlocked(false)
            pump()
        }
        writer.writeHead(status: 200, headers: headers, contentLength: nil)
        pump()
    }

    private func setBlocked(_ value: Bool) {
        guard value != blocked else { return }
        blocked = value
        owner?.state.withLock { $0.stats.blockedStreams += value ? 1 : -1 }
    }

    private func pump() {
        while !writer.isFinished {
            if let breakAt = rule?.exceptionAfterFrames, next == breakAt {
                let name = rule?.errorType ?? "ModelStreamErrorException"
                let error = BedrockError(name: name, message: rule?.message ?? "Scripted stream failure")
                writeFrame(BedrockEventStream.exception(error))
                return finish()
            }
            guard next < frames.count else { return finish() }
            guard writer.isWritable else { return setBlocked(true) }
            writeFrame(frames.frame(next))
            next += 1
            if let drip = rule?.dripMs, drip > 0, next < frames.count {
                writer.loop.queue.asyncAfter(deadline: .now() + .milliseconds(drip)) { [self] in pump() }
                return
            }
        }
    }

    private func writeFrame(_ frame: EventStreamMessage) {
        guard let bytes = try? EventStreamEncoder.encode(frame) else { return }
        writer.write(bytes)
        owner?.state.withLock { $0.stats.streamedBytes += bytes.count }
    }

    private func finish() {
        guard !writer.isFinished else { return }
        writer.onClose = nil
        writer.onWritable = nil
        writer.end()
        owner?.state.withLock { $0.stats.completedStreams += 1 }
    }
}
