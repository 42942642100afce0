import ImagoCore
import ServiceLifecycle

/// Runs the monitor on a thread of its own as a service: `q` ends it (and with it the service
/// group); SIGINT/SIGTERM's graceful shutdown stops it and restores the terminal.
public struct MonitorService: Service {
    private let app: MonitorApp

    public init(app: MonitorApp) {
        self.app = app
    }

    public func run() async throws {
        let app = self.app
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
