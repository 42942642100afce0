import Dispatch
import Foundation
import ImagoConfig
import ImagoCore
import ImagoMedia
import Logging
import Synchronization

/// A source the relay reads itself (`--source NAME=URL`, `[sources.NAME]`): opened with libavformat on a
/// thread of its own, fed to the registry like any publisher, and reopened with backoff whenever it is
/// lost. It gives up (state `failed`) only on errors that retrying cannot fix.
public final class PulledSource: Sendable {
    public struct Settings: Sendable, Equatable {
        public var name: String
        /// As configured, credentials included: never logged or shown (see `shownURL`).
        public var url: String
        /// Demuxer and protocol options, e.g. `rtsp_transport=tcp`.
        public var options: [String: String]
        /// Start a file again at its end.
        public var loop: Bool
        /// Pace reading at the media's own rate: a file (else read as fast as it decodes), and a network
        /// source only when it runs ahead (an HLS playlist's segments arrive in bursts; the decoder would
        /// skip most of each burst to keep up). A steady live source is never held back.
        public var realtime: Bool
        /// Opening (connect, handshake, probing) and each read give up after this long.
        public var timeoutSeconds: Double
        public var backoff: ReconnectBackoff

        public init(
            name: String, url: String, options: [String: String] = [:], loop: Bool = false, realtime: Bool = true,
            timeoutSeconds: Double = ImagoSettings.defaults.health.connectTimeoutSeconds, backoff: ReconnectBackoff = ReconnectBackoff()
        ) {
            self.name = name
            self.url = url
            self.options = options
            self.loop = loop
            self.realtime = realtime
            self.timeoutSeconds = timeoutSeconds
            self.backoff = backoff
        }

        /// The URL with any credentials replaced by `***`.
        public var shownURL: String { MediaReader.redacted(url) }

        /// A local file rather than a network address.
        public var isFile: Bool { MediaReader.isLocalFile(url) }
    }

    public let settings: Settings
    private let registry: StreamRegistry
    private let logger: Logger
    private let stopped = Atomic<Bool>(false)
    /// The cancellation of the reader being opened or read, so `stop` can end a blocking call at once.
    private let current = Mutex<MediaReader.Cancellation?>(nil)
    /// Signalled by `stop`: ends a backoff or pacing wait early.
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    public init(settings: Settings, registry: StreamRegistry, logger: Logger) {
        self.settings = settings
        self.registry = registry
        self.logger = logger
    }

    /// Adds the source's stream to the registry (state connecting) and starts reading it.
    public func start() {
        registry.addPulledSource(settings.name)
        let thread = Thread { [self] in
            ThreadName.set("imago-pull")
            run()
            finished.signal()
        }
        thread.start()
    }

    /// Stops reading (a blocking open or read ends at once) and waits up to `timeoutSeconds` for the thread.
    public func stop(timeoutSeconds: Double = 5) {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        current.withLock { $0?.cancel() }
        wake.signal()
        _ = finished.wait(timeout: .now() + timeoutSeconds)
    }

    /// Media ahead of (or behind) the wall clock by more than this is a clock jump, not a burst to pace.
    static let maxLeadSeconds = 10.0

    private var isStopped: Bool { stopped.load(ordering: .relaxed) }

    /// Waits `seconds` unless `stop` comes first; returns false when stopped.
    private func pause(seconds: Double) -> Bool {
        if seconds > 0 { _ = wake.wait(timeout: .now() + seconds) }
        if isStopped { wake.signal() }  // let any later wait end at once too
        return !isStopped
    }

    // MARK: - The reading thread

    /// How a session with the source ended.
    private enum Outcome: Error {
        /// Worth another attempt after a backoff.
        case lost(String)
        /// Retrying cannot help.
        case failed(String)
        /// A file without `loop` came to its end.
        case ended
        case stopped
    }

    private func run() {
        var failures = 0
        while !isStopped {
            let started = MonotonicClock.nowNanoseconds()
            let outcome = session()
            switch outcome {
            case .stopped:
                return
            case .ended:
                registry.setPullStatus(.ended(reason: "reached the end of the file (set loop to play it again)"), forSource: settings.name)
                logger.info("pulled source ended", metadata: ["source": "\(settings.name)", "url": "\(settings.shownURL)"])
                return
            case .failed(let reason):
                registry.setPullStatus(.failed(reason: reason), forSource: settings.name)
                logger.error("pulled source failed; not retrying", metadata: [
                    "source": "\(settings.name)", "url": "\(settings.shownURL)", "reason": "\(reason)",
                ])
                return
            case .lost(let reason):
                // A session that lasted a while resets the backoff: this is a new outage, not the same one.
                if MonotonicClock.seconds(from: started) > 30 { failures = 0 }
                failures += 1
                let delay = settings.backoff.delaySeconds(afterFailures: failures)
                let retryAt = MonotonicClock.nowNanoseconds() + UInt64(delay * 1e9)
                registry.setPullStatus(.reconnecting(reason: reason, retryAt: retryAt), forSource: settings.name)
                logger.warning("pulled source lost; reconnecting", metadata: [
                    "source": "\(settings.name)", "url": "\(settings.shownURL)", "reason": "\(reason)",
                    "attempt": "\(failures)", "retry_in_seconds": "\(String(format: "%.2f", delay))",
                ])
                guard pause(seconds: delay) else { return }
            }
        }
    }

    /// Opens the source, feeds it until it is lost, and says how it ended.
    private func session() -> Outcome {
        var reader: MediaReader
        switch open() {
        case .success(let opened): reader = opened
        case .failure(let outcome): return outcome
        }
        var translator: ReaderTranslator
        do {
            translator = try ReaderTranslator(reader: reader)
        } catch {
            return .failed("\(settings.shownURL): \(error)")
        }
        let feed = FeedID.next()
        let control = SessionControl(cancellation: current.withLock { $0 })
        let decision = registry.feedRequested(FeedRequest(
            id: feed, origin: .pulled(name: settings.name), peer: settings.shownURL,
            encoder: reader.metadata["encoder"], control: control))
        if case .reject(let reason) = decision { return .failed(reason) }
        logger.info("pulled source connected", metadata: ["source": "\(settings.name)", "url": "\(settings.shownURL)"])
        registry.feed(feed, received: .metadata(ReaderTranslator.metadata(of: reader)))

        // Pacing: media time `origin` is played at wall time `wallOrigin`.
        var origin: Int64?
        var wallOrigin = MonotonicClock.nowNanoseconds()
        var offset: Int64 = 0
        var lastDts: Int64 = 0
        let outcome: Outcome
        reading: while true {
            let packet: MediaReader.Packet?
            do throws(MediaError) {
                packet = try reader.read(timeoutSeconds: settings.timeoutSeconds)
            } catch {
                outcome = failure(error, while: "reading")
                break reading
            }
            guard let packet else {
                guard settings.loop, settings.isFile else {
                    outcome = settings.isFile ? .ended : .lost("the source ended the stream")
                    break reading
                }
                // Play the file again on the same feed: its times continue after the last packet.
                switch open() {
                case .success(let again): reader = again
                case .failure(let failed): outcome = failed; break reading
                }
                do { translator = try ReaderTranslator(reader: reader) } catch { outcome = .failed("\(error)"); break reading }
                origin = nil
                offset = lastDts + 40
                continue
            }
            let dts = packet.dtsMilliseconds &+ offset
            if settings.realtime {
                if origin == nil {
                    origin = dts
                    wallOrigin = MonotonicClock.nowNanoseconds()
                }
                var due = Double(dts - (origin ?? dts)) / 1000 - MonotonicClock.seconds(from: wallOrigin)
                if due > Self.maxLeadSeconds || due < -Self.maxLeadSeconds {
                    // A jump in the source's clock (or a source far behind): pace from here on.
                    origin = dts
                    wallOrigin = MonotonicClock.nowNanoseconds()
                    due = 0
                }
                if due > 0, !pause(seconds: due) { outcome = .stopped; break reading }
            }
            lastDts = max(lastDts, dts)
            for input in translator.inputs(for: packet, timestampOffset: offset) {
                registry.feed(feed, received: input)
            }
            if isStopped { outcome = .stopped; break reading }
        }
        let reason: FeedEndReason
        switch outcome {
        case .ended: reason = .ended
        case .lost(let text), .failed(let text): reason = .disconnected(text)
        case .stopped: reason = .disconnected("the source was stopped")
        }
        registry.feedEnded(feed, reason: reason)
        return outcome
    }

    /// Opens a reader (with a fresh cancellation `stop` can reach).
    private func open() -> Result<MediaReader, Outcome> {
        let cancellation = MediaReader.Cancellation()
        current.withLock { $0 = cancellation }
        if isStopped { return .failure(.stopped) }
        do throws(MediaError) {
            return .success(try MediaReader(
                url: settings.url, timeoutSeconds: settings.timeoutSeconds, options: settings.options, cancellation: cancellation))
        } catch {
            return .failure(failure(error, while: "opening"))
        }
    }

    /// What an FFmpeg error means here, in words that never contain the credentials.
    private func failure(_ error: MediaError, while doing: String) -> Outcome {
        if isStopped { return .stopped }
        switch error.sourceFailure {
        case .permanent:
            return .failed("cannot open \(settings.shownURL): \(error.message)")
        case .interrupted:
            return .lost(String(format: "no answer from %@ for %g s while %@", settings.shownURL, settings.timeoutSeconds, doing))
        case .transient:
            // A file that is not media stays that way; a network source may be mid-restart.
            if settings.isFile, error.isInvalidData { return .failed("\(settings.shownURL) is not a media file libavformat can read: \(error.message)") }
            return .lost("\(doing) \(settings.shownURL): \(error.message)")
        }
    }

    /// Lets the registry end the session (it never replaces a pulled feed, but it may be asked to).
    private struct SessionControl: FeedControl {
        let cancellation: MediaReader.Cancellation?

        func close(reason: String) {
            cancellation?.cancel()
        }
    }
}
