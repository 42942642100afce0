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
                        try await session.replay(clip, looping: true)
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
}
