import Foundation
import ImagoMedia
import Synchronization

/// Decodes pictures and clips out of a stream's history with its own decoder, so scrubbing and
/// exports never disturb live decoding.
public final class HistoryReader: Sendable {
    /// The decoder kept between calls, and where it is: stepping frame by frame through one GOP decodes
    /// each packet once instead of decoding from the keyframe on every step.
    private struct DecoderSlot: @unchecked Sendable {
        var decoder: VideoDecoder?
        var configuration: VideoConfiguration?
        /// The keyframe the decoder started from, the frames it gave since (presentation order) and the
        /// next packet to feed it.
        var keyframeSequence: Int?
        var frames: [VideoFrame] = []
        var framesBytes = 0
        var nextSequence = 0
        /// Frames were dropped from the front to stay under `maximumCachedBytes`.
        var droppedFront = false
        /// The decoder was drained at the end of history: it must start again to go further.
        var drained = false

        mutating func restart(at keyframe: MediaPacket) {
            decoder?.reset()
            keyframeSequence = keyframe.sequence
            frames = []
            framesBytes = 0
            nextSequence = keyframe.sequence
            droppedFront = false
            drained = false
        }

        /// Whether the frames decoded so far answer a request for `milliseconds`, or more must be decoded.
        func answers(_ milliseconds: Int64) -> Bool {
            guard let last = frames.last else { return drained }
            return last.ptsMilliseconds > milliseconds || drained
        }

        mutating func append(_ decoded: [VideoFrame]) {
            for frame in decoded {
                frames.append(frame)
                framesBytes += frame.width * frame.height * 3 / 2
            }
            while framesBytes > HistoryReader.maximumCachedBytes, frames.count > 1 {
                let first = frames.removeFirst()
                framesBytes -= first.width * first.height * 3 / 2
                droppedFront = true
            }
        }
    }

    /// Decoded frames kept for stepping (about one 2 s GOP of 720p).
    static let maximumCachedBytes = 96 << 20

    public let stream: MediaStream
    private let slot = Mutex(DecoderSlot())

    public init(stream: MediaStream) {
        self.stream = stream
    }

    /// The frame whose pts is the closest at or before `milliseconds`, decoded from the nearest
    /// keyframe at or before it (continuing from the last call when it is in the same GOP, later).
    public func frame(at milliseconds: Int64) throws(HistoryError) -> VideoFrame {
        let history = stream.history()
        guard let first = history.first, let last = history.last else { throw .empty(stream: "\(stream.name)") }
        guard let keyframe = history.nearestKeyframe(atOrBefore: milliseconds), milliseconds <= last.ptsMilliseconds + 1000 else {
            throw .outOfRange(requestedMilliseconds: milliseconds, startMilliseconds: first.dtsMilliseconds, endMilliseconds: last.dtsMilliseconds)
        }
        let found: VideoFrame?
        do {
            found = try slot.withLock { slot in
                do {
                    return try Self.decodeFrame(at: milliseconds, keyframe: keyframe, history: history, slot: &slot)
                } catch {
                    // The decoder's position is unknown after a failure: the next call starts from a keyframe.
                    slot.restart(at: keyframe)
                    slot.keyframeSequence = nil
                    throw error
                }
            }
        } catch let error as HistoryError {
            throw error
        } catch let error as MediaError {
            throw .media(error)
        } catch {
            throw .noFrame(stream: "\(stream.name)")
        }
        guard let found else { throw .noFrame(stream: "\(stream.name)") }
        return found
    }

    /// Frees the decoded frames kept for stepping (the monitor calls it when it goes back to live).
    public func forgetDecodedFrames() {
        slot.withLock { slot in
            slot.frames = []
            slot.framesBytes = 0
            slot.keyframeSequence = nil
        }
    }

    /// Decodes from `keyframe` (or from where the last call stopped in the same GOP) until the frame at or
    /// before `milliseconds` is known.
    private static func decodeFrame(at milliseconds: Int64, keyframe: MediaPacket, history: PacketHistory, slot: inout DecoderSlot) throws -> VideoFrame? {
        let before = slot.frames.first.map { milliseconds < $0.ptsMilliseconds } ?? false
        let pastDrainedEnd = slot.drained && milliseconds > (slot.frames.last?.ptsMilliseconds ?? .min)
        if slot.keyframeSequence != keyframe.sequence || (before && slot.droppedFront) || pastDrainedEnd {
            slot.restart(at: keyframe)
        }
        if !slot.answers(milliseconds) {
            for packet in history.packets(fromSequence: slot.nextSequence) {
                slot.nextSequence = packet.sequence + 1
                guard case .video(let configuration) = packet.kind else { continue }
                if slot.frames.isEmpty && packet.sequence == keyframe.sequence {
                    _ = try Self.decoder(for: configuration, in: &slot)
                } else if configuration != slot.configuration {
                    continue  // a new sequence header mid-GOP: the frames after it belong to the next keyframe
                }
                slot.append(try slot.decoder!.decode(
                    packet.payload, ptsMilliseconds: packet.ptsMilliseconds, dtsMilliseconds: packet.dtsMilliseconds,
                    isKeyframe: packet.isKeyframe))
                // Frames come out in presentation order: one past t means every frame up to t is out.
                if slot.answers(milliseconds) { break }
            }
            if !slot.answers(milliseconds) {
                slot.append(try slot.decoder?.drain() ?? [])
                slot.drained = true
            }
        }
        return slot.frames.last { $0.ptsMilliseconds <= milliseconds } ?? slot.frames.first
    }

    /// Decodes, with a decoder of its own, every frame whose pts is in `from...to`, from the keyframe at or
    /// before `from`, and hands each to `body` in presentation order with the history sequence number of
    /// its packet; `body` returns false to stop. Memory stays at one decoder's, however long the range.
    /// Blocks the calling thread.
    public func forEachFrame(from: Int64, to: Int64, _ body: (VideoFrame, _ sequence: Int) -> Bool) throws(HistoryError) {
        let history = stream.history()
        guard let first = history.first, let last = history.last else { throw .empty(stream: "\(stream.name)") }
        guard let keyframe = history.nearestKeyframe(atOrBefore: max(from, first.ptsMilliseconds)), to >= keyframe.ptsMilliseconds, from <= to,
              case .video(let configuration) = keyframe.kind else {
            throw .outOfRange(requestedMilliseconds: from, startMilliseconds: first.dtsMilliseconds, endMilliseconds: last.dtsMilliseconds)
        }
        guard let codec = configuration.mediaCodec else { throw .noDecoder(codec: configuration.codec.displayName) }
        do throws(MediaError) {
            let decoder = try VideoDecoder(codec: codec, extradata: configuration.record)
            var sequenceByPts: [Int64: Int] = [:]
            /// Hands over the decoded frames in range; false once `body` asked to stop or the range is passed.
            func deliver(_ frames: [VideoFrame]) -> Bool {
                for frame in frames where frame.ptsMilliseconds >= from {
                    guard frame.ptsMilliseconds <= to else { return false }
                    guard body(frame, sequenceByPts.removeValue(forKey: frame.ptsMilliseconds) ?? -1) else { return false }
                }
                return true
            }
            for packet in history.packets(fromSequence: keyframe.sequence) {
                guard case .video(let packetConfiguration) = packet.kind, packetConfiguration == configuration else { continue }
                sequenceByPts[packet.ptsMilliseconds] = packet.sequence
                let frames = try decoder.decode(
                    packet.payload, ptsMilliseconds: packet.ptsMilliseconds, dtsMilliseconds: packet.dtsMilliseconds, isKeyframe: packet.isKeyframe)
                guard deliver(frames) else { return }
            }
            _ = deliver(try decoder.drain())
        } catch {
            throw .media(error)
        }
    }

    /// A still image of the frame at `milliseconds` (or of the latest decoded frame when nil) at source resolution.
    public func snapshot(at milliseconds: Int64?, format: ImageEncoder.Format) throws(HistoryError) -> (image: [UInt8], ptsMilliseconds: Int64) {
        let frame: VideoFrame
        if let milliseconds {
            frame = try self.frame(at: milliseconds)
        } else if let latest = stream.decoder.latest.current {
            frame = latest.picture
        } else {
            let end = stream.history().last?.ptsMilliseconds ?? 0
            frame = try self.frame(at: end)
        }
        do {
            return (try ImageEncoder.encode(frame, as: format), frame.ptsMilliseconds)
        } catch {
            throw .media(error)
        }
    }

    /// What an exported clip holds.
    public struct Clip: Sendable {
        public let path: String
        public let startMilliseconds: Int64
        public let endMilliseconds: Int64
        public let videoFrames: Int
        public let audioFrames: Int
        /// Packets left out because their dts did not increase (a broken encoder repeated a timestamp):
        /// an MP4 needs increasing ones, and one such packet must not cost the whole clip.
        public let droppedPackets: Int
    }

    /// Why a clip of `from...to` cannot be made from the history now, or the keyframe it starts from.
    public func clipStart(from: Int64, to: Int64) throws(HistoryError) -> (keyframe: MediaPacket, configuration: VideoConfiguration) {
        let history = stream.history()
        guard let first = history.first, let last = history.last else { throw .empty(stream: "\(stream.name)") }
        guard let keyframe = history.nearestKeyframe(atOrBefore: max(from, first.ptsMilliseconds)), to >= keyframe.ptsMilliseconds,
              case .video(let configuration) = keyframe.kind else {
            throw .outOfRange(requestedMilliseconds: from, startMilliseconds: first.dtsMilliseconds, endMilliseconds: last.dtsMilliseconds)
        }
        guard configuration.mediaCodec != nil else { throw .noDecoder(codec: configuration.codec.displayName) }
        return (keyframe, configuration)
    }

    /// Writes an MP4 (remuxed, not re-encoded) from the keyframe at or before `from` up to `to`, with
    /// audio when the stream has it. The file appears at `path` only when complete.
    ///
    /// While the stream is live and has not reached `to` yet, the packets so far are written and the rest
    /// as they arrive, for at most `waitSeconds` (`onWaiting` is called once when it starts waiting): a
    /// clip "5 s after now" is complete when it is written. `fragmented` writes a fragmented MP4 whose
    /// bytes can be read while it grows (`onOpened` gets the path being written). Blocks the calling thread.
    public func exportClip(
        from: Int64, to: Int64, path: String, fragmented: Bool = false, waitSeconds: Double = 0,
        onWaiting: () -> Void = {}, onOpened: (_ writtenPath: String) -> Void = { _ in }
    ) throws(HistoryError) -> Clip {
        let (keyframe, videoConfiguration) = try clipStart(from: from, to: to)
        let history = stream.history()
        let audioConfiguration = history.packets(fromSequence: keyframe.sequence).lazy.compactMap { packet -> AudioConfiguration? in
            if case .audio(let configuration) = packet.kind { return configuration }
            return nil
        }.first
        let deadline = MonotonicClock.nowNanoseconds() + UInt64(max(0, min(waitSeconds, 86_400)) * 1e9)
        do throws(MediaError) {
            let audioTrack = audioConfiguration.flatMap { configuration -> MP4Writer.AudioTrack? in
                guard configuration.codec == .aac, let rate = configuration.sampleRate, let channels = configuration.channelCount else { return nil }
                return MP4Writer.AudioTrack(codec: .aac, extradata: configuration.specificConfig, sampleRate: rate, channels: channels)
            }
            let writer = try MP4Writer(
                path: path,
                video: MP4Writer.VideoTrack(
                    codec: videoConfiguration.mediaCodec!, extradata: videoConfiguration.record,
                    width: videoConfiguration.width ?? 0, height: videoConfiguration.height ?? 0),
                audio: audioTrack, fragmented: fragmented)
            onOpened(writer.temporaryPath)
            var videoFrames = 0, audioFrames = 0, droppedPackets = 0
            var end = keyframe.dtsMilliseconds
            var lastVideoDts: Int64?, lastAudioDts: Int64?
            var next = keyframe.sequence
            var waiting = false
            while true {
                var reachedEnd = false
                for packet in stream.packets(fromSequence: next) {
                    next = packet.sequence + 1
                    guard packet.dtsMilliseconds <= to else {
                        reachedEnd = true  // the other track may still have packets up to `to` after this one
                        continue
                    }
                    switch packet.kind {
                    case .video(let configuration) where configuration == videoConfiguration:
                        if let last = lastVideoDts, packet.dtsMilliseconds <= last {
                            droppedPackets += 1
                            continue
                        }
                        lastVideoDts = packet.dtsMilliseconds
                        try writer.writeVideo(
                            packet.payload, ptsMilliseconds: packet.ptsMilliseconds, dtsMilliseconds: packet.dtsMilliseconds,
                            isKeyframe: packet.isKeyframe)
                        videoFrames += 1
                        end = max(end, packet.ptsMilliseconds)
                    case .audio where audioTrack != nil:
                        if let last = lastAudioDts, packet.ptsMilliseconds <= last {
                            droppedPackets += 1
                            continue
                        }
                        lastAudioDts = packet.ptsMilliseconds
                        try writer.writeAudio(packet.payload, ptsMilliseconds: packet.ptsMilliseconds)
                        audioFrames += 1
                    default:
                        continue  // data messages and gap markers have no place in an MP4; a new sequence header ends nothing here
                    }
                }
                guard !reachedEnd, stream.isLive, MonotonicClock.nowNanoseconds() < deadline else { break }
                if !waiting {
                    waiting = true
                    onWaiting()
                }
                Thread.sleep(forTimeInterval: 0.05)
            }
            try writer.finish()
            return Clip(
                path: path, startMilliseconds: keyframe.ptsMilliseconds, endMilliseconds: end, videoFrames: videoFrames,
                audioFrames: audioFrames, droppedPackets: droppedPackets)
        } catch {
            throw .media(error)
        }
    }

    /// `exportClip` waiting at most `timeoutSeconds` for an end still to come (see `exportClip`).
    public func exportClipWhenRecorded(
        from: Int64, to: Int64, path: String, timeoutSeconds: Double, onWaiting: () -> Void = {}
    ) throws(HistoryError) -> Clip {
        try exportClip(from: from, to: to, path: path, waitSeconds: timeoutSeconds, onWaiting: onWaiting)
    }

    private static func decoder(for configuration: VideoConfiguration, in slot: inout DecoderSlot) throws -> VideoDecoder {
        if let decoder = slot.decoder, slot.configuration == configuration { return decoder }
        guard let codec = configuration.mediaCodec else { throw HistoryError.noDecoder(codec: configuration.codec.displayName) }
        let decoder = try VideoDecoder(codec: codec, extradata: configuration.record)
        slot.decoder = decoder
        slot.configuration = configuration
        return decoder
    }
}
