import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The media queue of one player: accepts messages from any thread, writes them on the connection's event
/// loop, and keeps a player that does not keep up from costing more than `RTMPLimits` allows.
///
/// A player that falls `playerKeyframesOnlyBytes` behind gets only keyframes (and sequence headers) until
/// it has caught up to half of that, at a keyframe, so what it decodes stays whole. Past
/// `maxPlayerQueuedBytes`, or when nothing it was sent has left for `playerStallSeconds`, it is
/// disconnected with a log line saying which; the publisher and other players never wait for it.
public final class RTMPPlayerOutput: Sendable {
    /// Sent bytes and dropped messages so far, for the stream's health.
    public struct Figures: Sendable, Equatable {
        public var bytesSent: UInt64 = 0
        public var messagesDropped = 0
        /// True while only keyframes are sent.
        public var isKeyframesOnly = false
    }

    private struct State {
        var queue = CircularBuffer<RTMPMediaMessage>()
        var queuedBytes = 0
        /// Bytes handed to the channel whose write has not completed.
        var inFlightBytes = 0
        var drainScheduled = false
        var closed = false
        var figures = Figures()
        /// When the last write completed (or, if none was waiting, when one started waiting).
        var lastProgressNanoseconds = NIODeadline.now().uptimeNanoseconds
    }

    /// Chunk stream ids media is sent on (the session's own replies use 2, 3 and 5).
    private enum ChunkStream {
        static let audio: UInt32 = 4
        static let video: UInt32 = 6
        static let data: UInt32 = 8
    }

    private let channel: any Channel
    private let messageStreamID: UInt32
    private let encoder: ChunkStreamEncoder
    private let limits: RTMPLimits
    private let logger: Logger
    private let state = NIOLockedValueBox(State())

    init(channel: any Channel, messageStreamID: UInt32, chunkSize: Int, limits: RTMPLimits, logger: Logger) {
        self.channel = channel
        self.messageStreamID = messageStreamID
        self.encoder = ChunkStreamEncoder(chunkSize: chunkSize)
        self.limits = limits
        self.logger = logger
        // A small socket buffer keeps what a stuck player holds in the kernel small too, and makes a stall visible.
        channel.setOption(.socketOption(.so_sndbuf), value: SocketOptionValue(Self.socketSendBufferBytes)).whenFailure { _ in }
        scheduleStallCheck()
    }

    /// The kernel send buffer asked for a player's socket: about a second of a 2 Mbit/s stream.
    static let socketSendBufferBytes = 256 * 1024

    public var figures: Figures { state.withLockedValue { $0.figures } }

    /// Queues `message` for the player, or drops it (a player that is behind), or disconnects the player
    /// (one that is too far behind). Never blocks.
    public func send(_ message: RTMPMediaMessage) {
        enum Outcome { case queued(scheduleDrain: Bool), dropped, fellBehind(Int), tooFarBehind(Int), closed }
        let size = message.byteCount
        let outcome: Outcome = state.withLockedValue { state in
            guard !state.closed else { return .closed }
            let pending = state.queuedBytes + state.inFlightBytes
            var fellBehind = false
            switch message.priority {
            case .essential:
                break
            case .keyframe:
                // Caught up: the whole stream again, starting at this keyframe.
                if state.figures.isKeyframesOnly, pending <= limits.playerKeyframesOnlyBytes / 2 { state.figures.isKeyframesOnly = false }
            case .droppable:
                if !state.figures.isKeyframesOnly, pending + size > limits.playerKeyframesOnlyBytes {
                    state.figures.isKeyframesOnly = true
                    fellBehind = true
                }
                if state.figures.isKeyframesOnly {
                    state.figures.messagesDropped += 1
                    return fellBehind ? .fellBehind(pending) : .dropped
                }
            }
            if pending + size > limits.maxPlayerQueuedBytes {
                state.queue.removeAll()
                state.queuedBytes = 0
                return .tooFarBehind(pending)
            }
            state.queue.append(message)
            state.queuedBytes += size
            defer { state.drainScheduled = true }
            return .queued(scheduleDrain: !state.drainScheduled)
        }
        switch outcome {
        case .queued(let scheduleDrain):
            if scheduleDrain { channel.eventLoop.execute { self.drain() } }
        case .dropped, .closed:
            break
        case .fellBehind(let pending):
            logger.info("RTMP player falls behind: sending keyframes only", metadata: [
                "connection_stream": "\(messageStreamID)", "waiting_bytes": "\(pending)",
                "limit": "\(limits.playerKeyframesOnlyBytes)",
            ])
        case .tooFarBehind(let pending):
            close(reason: "player does not keep up: \(pending) bytes wait for it, the limit is \(limits.maxPlayerQueuedBytes)")
        }
    }

    /// Stops sending (the player stopped, or its connection closed). Queued messages are dropped.
    public func stop() {
        state.withLockedValue { state in
            state.closed = true
            state.queue.removeAll()
            state.queuedBytes = 0
        }
    }

    /// Disconnects the player, after what is queued, with `reason` in the log (by default at warning level:
    /// a player was cut off).
    public func close(reason: String, level: Logger.Level = .warning) {
        let flush = state.withLockedValue { state in
            defer { state.closed = true }
            return !state.closed && !state.queue.isEmpty
        }
        // What was queued (a last status) goes out first: the close request follows the drain on the event loop.
        channel.eventLoop.execute { [self] in
            if flush { drain(ignoringClosed: true) }
            channel.pipeline.fireUserInboundEventTriggered(RTMPCloseRequest(reason: reason, level: level))
        }
    }

    // MARK: - On the event loop

    private func drain(ignoringClosed: Bool = false) {
        let (batch, bytes) = state.withLockedValue { state -> ([RTMPMediaMessage], Int) in
            state.drainScheduled = false
            guard !state.closed || ignoringClosed, !state.queue.isEmpty else { return ([], 0) }
            let batch = Array(state.queue)
            let bytes = state.queuedBytes
            state.queue.removeAll(keepingCapacity: true)
            state.queuedBytes = 0
            if state.inFlightBytes == 0 { state.lastProgressNanoseconds = NIODeadline.now().uptimeNanoseconds }
            state.inFlightBytes += bytes
            return (batch, bytes)
        }
        guard !batch.isEmpty else { return }
        var buffer = channel.allocator.buffer(capacity: bytes + batch.count * 16)
        for message in batch {
            var payload = channel.allocator.buffer(capacity: message.byteCount)
            payload.writeBytes(message.header)
            payload.writeBytes(message.body)
            let chunkStreamID = switch message.typeID {
            case RTMPMessageType.audio.rawValue: ChunkStream.audio
            case RTMPMessageType.video.rawValue: ChunkStream.video
            default: ChunkStream.data
            }
            encoder.encode(
                RTMPRawMessage(
                    chunkStreamID: chunkStreamID, timestamp: message.timestamp, typeID: message.typeID,
                    messageStreamID: messageStreamID, payload: payload),
                into: &buffer)
        }
        let promise = channel.eventLoop.makePromise(of: Void.self)
        promise.futureResult.whenComplete { [state] result in
            state.withLockedValue { state in
                state.inFlightBytes -= bytes
                state.lastProgressNanoseconds = NIODeadline.now().uptimeNanoseconds
                if case .success = result { state.figures.bytesSent += UInt64(bytes) }
            }
        }
        channel.writeAndFlush(buffer, promise: promise)
    }

    /// Once a second: a player that took nothing of what waits for it for `playerStallSeconds` is disconnected.
    private func scheduleStallCheck() {
        channel.eventLoop.scheduleTask(in: .seconds(1)) { [self] in
            let stalledSeconds = state.withLockedValue { state -> Double? in
                guard !state.closed else { return nil }
                guard state.inFlightBytes > 0 else { return 0 }
                return Double(NIODeadline.now().uptimeNanoseconds - state.lastProgressNanoseconds) / 1e9
            }
            guard let stalledSeconds else { return }
            if stalledSeconds >= limits.playerStallSeconds {
                let waiting = state.withLockedValue { $0.inFlightBytes + $0.queuedBytes }
                close(reason: "player read nothing for \(Int(stalledSeconds)) s (\(waiting) bytes wait for it; the limit is \(Int(limits.playerStallSeconds)) s)")
            } else {
                scheduleStallCheck()
            }
        }
    }
}
