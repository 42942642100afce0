import DequeModule

/// A bounded ring of a stream's recent packets that always starts on a keyframe.
///
/// Bounded by duration and by bytes; eviction removes whole GOPs from the front, so whatever is
/// buffered can be decoded from its first packet. A keyframe index answers "nearest keyframe at or
/// before t" by binary search.
public struct PacketHistory: Sendable {
    public let maxDurationMilliseconds: Int64
    public let maxBytes: Int

    private var packets: Deque<MediaPacket> = []
    /// Offsets into `packets` are `sequence - firstSequence`.
    private var firstSequence = 0
    private var nextSequence = 0
    /// Sequence numbers of the keyframes in `packets`, oldest first.
    private var keyframeSequences: Deque<Int> = []
    public private(set) var byteCount = 0
    public private(set) var videoFrameCount = 0

    public init(maxDurationMilliseconds: Int64, maxBytes: Int) {
        self.maxDurationMilliseconds = maxDurationMilliseconds
        self.maxBytes = maxBytes
    }

    public var isEmpty: Bool { packets.isEmpty }
    public var count: Int { packets.count }
    public var first: MediaPacket? { packets.first }
    public var last: MediaPacket? { packets.last }
    /// The sequence number the next appended packet gets.
    public var upcomingSequence: Int { nextSequence }

    /// Time from the first to the last packet, in milliseconds.
    public var durationMilliseconds: Int64 {
        guard let first = packets.first, let last = packets.last else { return 0 }
        return max(0, last.dtsMilliseconds - first.dtsMilliseconds)
    }

    /// Adds a packet at the end, then evicts whole GOPs from the front while over a bound.
    /// Packets before the first keyframe are refused: the ring must start where a decoder can.
    @discardableResult
    public mutating func append(_ packet: MediaPacket) -> Bool {
        if packets.isEmpty && !packet.isKeyframe { return false }
        var packet = packet
        packet.sequence = nextSequence
        nextSequence += 1
        if packets.isEmpty { firstSequence = packet.sequence }
        if packet.isKeyframe { keyframeSequences.append(packet.sequence) }
        packets.append(packet)
        byteCount += packet.byteCount
        if packet.isVideo { videoFrameCount += 1 }
        evictWhileOverBounds()
        return true
    }

    private mutating func evictWhileOverBounds() {
        while keyframeSequences.count >= 2, let last = packets.last {
            let secondGOPStart = packet(sequence: keyframeSequences[1])!
            let durationAfterEviction = last.dtsMilliseconds - secondGOPStart.dtsMilliseconds
            let overDuration = durationAfterEviction >= maxDurationMilliseconds
            guard overDuration || byteCount > maxBytes else { return }
            removeFront(upTo: keyframeSequences[1])
        }
        if byteCount > maxBytes {
            // One GOP alone is larger than the byte bound (a flood, or no keyframes for a long time):
            // drop it all and wait for the next keyframe rather than grow.
            removeFront(upTo: nextSequence)
        }
    }

    private mutating func removeFront(upTo sequence: Int) {
        while let first = packets.first, first.sequence < sequence {
            packets.removeFirst()
            byteCount -= first.byteCount
            if first.isVideo { videoFrameCount -= 1 }
            firstSequence += 1
            if keyframeSequences.first == first.sequence { keyframeSequences.removeFirst() }
        }
        if packets.isEmpty { firstSequence = nextSequence }
    }

    /// The packet with this sequence number, if it is still buffered.
    public func packet(sequence: Int) -> MediaPacket? {
        let offset = sequence - firstSequence
        guard offset >= 0, offset < packets.count else { return nil }
        return packets[offset]
    }

    /// The latest keyframe whose presentation time is at or before `milliseconds`, found by binary
    /// search; nil when `milliseconds` is before the history's start. Presentation time, not decode
    /// time: with B-frames the last frames of a GOP are shown after the next keyframe is decoded, so
    /// a picture at t is decodable from the keyframe *shown* at or before t.
    public func nearestKeyframe(atOrBefore milliseconds: Int64) -> MediaPacket? {
        var low = 0
        var high = keyframeSequences.count
        // Invariant: keyframes before `low` are at or before t, from `high` on they are after it.
        while low < high {
            let middle = (low + high) / 2
            if packet(sequence: keyframeSequences[middle])!.ptsMilliseconds <= milliseconds {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low == 0 ? nil : packet(sequence: keyframeSequences[low - 1])
    }

    /// Packets with a sequence number at or after `sequence` (all buffered ones if it was evicted).
    public func packets(fromSequence sequence: Int) -> [MediaPacket] {
        let offset = max(0, sequence - firstSequence)
        guard offset < packets.count else { return [] }
        return Array(packets[offset...])
    }

    /// What a joining player is sent at once: the packets (in decode order) from the latest keyframe that
    /// leaves at least `minimumMilliseconds` of stream up to the newest packet (the oldest keyframe when the
    /// history is shorter), moved on to later keyframes while that is more than `maxBytes` (none when even
    /// the latest GOP is). A player's prober needs that much stream before it shows a frame (ffmpeg reads
    /// about 40 frames), and sent at once it does not wait for them in real time.
    public func joinBacklog(minimumMilliseconds: Int64, maxBytes: Int) -> ArraySlice<MediaPacket> {
        guard let newest = packets.last?.dtsMilliseconds, !keyframeSequences.isEmpty else { return [] }
        var index = keyframeSequences.count - 1
        while index > 0, let keyframe = packet(sequence: keyframeSequences[index]), newest - keyframe.dtsMilliseconds < minimumMilliseconds {
            index -= 1
        }
        while index < keyframeSequences.count {
            let backlog = packets[(keyframeSequences[index] - firstSequence)...]
            if backlog.reduce(0, { $0 + $1.byteCount }) <= maxBytes { return ArraySlice(backlog) }
            index += 1
        }
        return []
    }

    /// Every buffered packet, oldest first.
    public var allPackets: [MediaPacket] { Array(packets) }
}
