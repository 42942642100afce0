import Dispatch
import Foundation
import ImagoConfig
import ImagoCore
import ImagoSources
import Logging
import ServiceLifecycle

/// SIGHUP (`imago serve`; SIGUSR1 in the monitor, where SIGHUP means the terminal hung up and the
/// monitor exits): reread the configuration file (with the same flags on top) and apply its sources and
/// stream keys. New sources start, removed ones stop, changed ones restart; every other stream keeps its
/// connection and history. A file that no longer parses changes nothing: the log says why.
struct ConfigurationReload: Service {
    /// The new settings: the file as it is now, with the command line's flags applied.
    let reload: @Sendable () throws -> ImagoSettings
    let stack: RelayStack
    /// The signal that asks for a reload.
    var signalNumber = SIGHUP

    func run() async throws {
        signal(signalNumber, SIG_IGN)  // delivered to the dispatch source instead of ending the process
        let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
        let (signals, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        source.setEventHandler { continuation.yield() }
        source.resume()
        await withGracefulShutdownHandler {
            for await _ in signals { apply() }
        } onGracefulShutdown: {
            continuation.finish()
        }
        source.cancel()
    }

    private func apply() {
        let logger = stack.logger
        do {
            let settings = try reload()
            var (policy, _) = try stack.relayOptions.keyPolicy(settings)
            if let demoKey = stack.demoKey, case .keys(let keys) = policy { policy = .keys(keys.union([demoKey])) }
            stack.relay.registry.setKeyPolicy(policy, names: RelayOptions.keyNames(settings))
            let changed = stack.relay.updateSources(RelayOptions.pulledSources(settings))
            logger.notice("configuration reloaded", metadata: [
                "sources_added": "\(changed.added.joined(separator: ","))", "sources_removed": "\(changed.removed.joined(separator: ","))",
                "sources_restarted": "\(changed.restarted.joined(separator: ","))",
                "keys": "\(policy.keyCount.map(String.init) ?? "any")",
            ])
        } catch {
            logger.error("configuration not reloaded; the running one stays", metadata: ["reason": "\(error)"])
        }
    }
}
