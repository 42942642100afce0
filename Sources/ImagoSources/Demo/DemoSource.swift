import Foundation
import ImagoCore
import ImagoRTMP
import Logging
import ServiceLifecycle

/// The built-in looping source of `--demo`: a short clip with a face, published in real time to the
/// relay's own RTMP port, so a new user sees live video and moving health figures with no encoder.
public struct DemoSource: Service {
    public static let app = "demo"

    /// The key the demo publishes with; add it to the relay's key policy.
    public let streamKey: String
    private let relay: Relay
    private let logger: Logger

    public init(relay: Relay, streamKey: String, logger: Logger) {
        self.relay = relay
        self.streamKey = streamKey
        self.logger = logger
    }

    /// A fresh key for the demo stream (random, so it grants nobody else a way in).
    public static func makeKey() -> String {
        "astronaut-" + StreamKeyStore.generateKey().prefix(12)
    }

    /// The stream the demo appears as.
    public var streamName: StreamName { StreamName(app: Self.app, key: streamKey) }

    /// Where the demo clip shipped with the binary is.
    public static func clipURL() throws(ConfigurationError) -> URL {
        guard let url = BundledResource.url(target: "ImagoSources", path: "Resources/demo.flv") else {
            throw .unreadableFile(path: "demo.flv", reason: "the demo clip is missing from imago's resources (imago_ImagoSources.resources next to the binary)")
        }
        return url
    }

    /// The demo clip shipped with the binary.
    public static func clip() throws(ConfigurationError) -> FLVFile {
        let url = try clipURL()
        do {
            return try FLVFile(contentsOf: url)
        } catch {
            throw .unreadableFile(path: url.path, reason: "\(error)")
        }
    }

    public func run() async throws {
        let clip = try Self.clip()
        let port = try await relay.start()
        let host = ["0.0.0.0", "::", ""].contains(relay.configuration.rtmpHost) ? "127.0.0.1" : relay.configuration.rtmpHost
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await RTMPPublishClient.publish(host: host, port: port, app: Self.app, streamKey: streamKey) { session in
                        try await Self.loop(clip, into: session)
                    }
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("demo source: \(error); retrying in 1 s")
                    try await Task.sleep(for: .seconds(1))
                }
            }
        }
    }

    /// Sends the clip's tags at their timestamps, forever, shifting each loop to follow the last.
    private static func loop(_ clip: FLVFile, into session: RTMPPublishClient.Session) async throws {
        guard let last = clip.tags.last else { return }
        let loopMilliseconds = UInt32(last.timestamp) + 34
        let clock = ContinuousClock()
        let start = clock.now
        var loop: UInt32 = 0
        while true {
            for tag in clip.tags where loop == 0 || !isConfiguration(tag) {
                let timestamp = loop * loopMilliseconds + tag.timestamp
                try await clock.sleep(until: start.advanced(by: .milliseconds(Int(timestamp))))
                try await session.send(type: tag.type, timestamp: timestamp, body: tag.body)
            }
            loop += 1
        }
    }

    /// Sequence headers and metadata: sent once, they stay in force for every loop.
    private static func isConfiguration(_ tag: FLVFile.Tag) -> Bool {
        guard tag.type != 18 else { return true }
        guard tag.body.count >= 2 else { return false }
        let first = tag.body[tag.body.startIndex], second = tag.body[tag.body.startIndex + 1]
        if tag.type == 9 { return first & 0x0F == 7 && second == 0 }   // AVC sequence header
        if tag.type == 8 { return first >> 4 == 10 && second == 0 }    // AAC AudioSpecificConfig
        return false
    }
}
