import ImagoCore
import ServiceLifecycle

/// Prints one health line per stream every interval: human-readable or JSON.
struct StatsReporter: Service {
    let registry: StreamRegistry
    let intervalSeconds: Double
    let json: Bool

    func run() async throws {
        while true {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(Int(intervalSeconds * 1000))) }
            } catch {
                return  // shutting down
            }
            for stream in registry.streams {
                let health = stream.health()
                if json {
                    OutputLines.writeJSON(type: "stats", health)
                } else {
                    OutputLines.write(health.summaryLine)
                }
            }
        }
    }
}
