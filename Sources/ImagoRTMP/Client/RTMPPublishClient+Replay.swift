import Foundation

extension RTMPPublishClient.Session {
    /// Sends `clip`'s tags at their timestamps in real time; with `looping`, forever, each loop shifted to
    /// follow the last (its sequence headers and metadata are sent once: they stay in force). Returns the
    /// bytes of tag bodies sent (when it does not loop).
    @discardableResult
    public func replay(_ clip: FLVFile, looping: Bool) async throws -> Int {
        guard let last = clip.tags.last else { return 0 }
        let loopMilliseconds = Int64(last.timestamp) + 34
        let clock = ContinuousClock()
        let start = clock.now
        var loop: Int64 = 0
        var sent = 0
        repeat {
            for tag in clip.tags where loop == 0 || !Self.isConfiguration(tag) {
                let elapsed = loop * loopMilliseconds + Int64(tag.timestamp)
                try await clock.sleep(until: start.advanced(by: .milliseconds(elapsed)))
                // RTMP timestamps are 32 bits and wrap (after 49 days); the server unwraps them.
                try await send(type: tag.type, timestamp: UInt32(truncatingIfNeeded: elapsed), body: tag.body)
                sent += tag.body.count
            }
            loop += 1
        } while looping
        return sent
    }

    /// Sequence headers and metadata: sent once, they stay in force for every loop.
    static func isConfiguration(_ tag: FLVFile.Tag) -> Bool {
        guard tag.type != 18 else { return true }
        guard tag.body.count >= 2 else { return false }
        let first = tag.body[tag.body.startIndex], second = tag.body[tag.body.startIndex + 1]
        if tag.type == 9 { return first & 0x0F == 7 && second == 0 }   // AVC sequence header
        if tag.type == 8 { return first >> 4 == 10 && second == 0 }    // AAC AudioSpecificConfig
        return false
    }
}
