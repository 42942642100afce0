import ImagoCore
import ServiceLifecycle

/// Runs the monitor on a thread of its own as a service: `q` ends it (and with it the service
/// group); SIGINT/SIGTERM's graceful shutdown stops it and restores the terminal.
public struct MonitorService: Service {
    private let app: MonitorApp
    private let prepare: @Sendable () async throws -> [String]

    /// `prepare` runs first and gives the lines that say where the HTTP API is (it waits for the API to
    /// listen; when that fails, the monitor never takes the terminal and the error ends the group).
    public init(app: MonitorApp, prepare: @escaping @Sendable () async throws -> [String] = { [] }) {
        self.app = app
        self.prepare = prepare
    }

    public func run() async throws {
        let app = self.app
        app.apiLines = try await prepare()
        await withGracefulShutdownHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let thread = Thread {
                    ThreadName.set("imago-monitor")
                    app.run()
                    continuation.resume()
                }
                thread.name = "imago-monitor"
                thread.start()
            }
        } onGracefulShutdown: {
            app.stop()
        }
    }
}

import Foundation
