import ArgumentParser
import Foundation
import ImagoConfig
import ImagoRemote
import ImagoTUI
import Logging
import ServiceLifecycle

/// `imago watch URL…`: the terminal monitor for relays elsewhere, through their HTTP API.
struct Watch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Watch relays on other machines in the terminal monitor, through their HTTP API.",
        discussion: """
            Every URL is a relay's HTTP API (http://HOST:8080, or https:// with TLS). Several relays give one stream \
            list, each stream labelled with its relay. Frames are fetched at the size the terminal shows them, one at \
            a time, so a slow link shows fewer frames instead of older ones; the status line shows the link's rate.
            """)

    @Argument(help: ArgumentHelp("Relays' HTTP API addresses.", valueName: "url"))
    var urls: [String]

    @OptionGroup(title: "Relay access") var remote: RemoteOptions
    @OptionGroup(title: "Monitor") var display: MonitorOptions

    func validate() throws {
        guard !urls.isEmpty else { throw ValidationError("give at least one relay URL, e.g. imago watch http://relay:8080 --token T") }
        var settings = ImagoSettings()
        try display.apply(to: &settings)
        for url in urls { try RemoteOptions.checkURL(url) }
    }

    func run() async throws {
        RelayOptions.prepareProcess()
        var imagoSettings = ImagoSettings()
        try display.apply(to: &imagoSettings)
        var settings = try display.monitorSettings(imagoSettings.monitor, withoutTerminal: "for one picture use `imago snapshot`")
        settings.titleDetail = urls.count == 1 ? "watching \(urls[0])" : "watching \(urls.count) relays"
        let clients = try urls.map(remote.client(for:))
        let source = RemoteMonitorSource(clients: clients, framesPerSecond: settings.framesPerSecond)
        source.start()
        let app = MonitorApp(source: source, settings: settings)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: MonitorService(app: app), successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: .init(label: "imago-watch", factory: { _ in SwiftLogNoOpLogHandler() })))
        do {
            try await group.run()
        } catch {
            await source.stop()
            throw error
        }
        await source.stop()
    }
}
