import ArgumentParser
import Foundation
import ImagoConfig
import ImagoCore
import ImagoFaces
import ImagoMedia
import ImagoTUI
import Logging
import ServiceLifecycle

/// `imago` (or `imago monitor`): the relay and the terminal monitor.
struct Monitor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start the relay and the terminal monitor (the default command).")

    @OptionGroup var relay: RelayOptions
    @OptionGroup(title: "HTTP API") var http: HTTPOptions
    @OptionGroup(title: "Faces") var faces: FaceOptions

    @OptionGroup(title: "Monitor") var display: MonitorOptions

    @Option(name: .customLong("log-file"), help: ArgumentHelp("Where log lines go while the monitor owns the terminal (default: imago.log in the data directory).", valueName: "path"))
    var logFile: String?

    func validate() throws {
        var settings = ImagoSettings()
        try display.apply(to: &settings)
    }

    func run() async throws {
        RelayOptions.prepareProcess()
        var imagoSettings = try RelayStack.settings(relay: relay, http: http, faces: faces)
        try display.apply(to: &imagoSettings)
        if let logFile { imagoSettings.monitor.logFile = logFile }
        let chosen = imagoSettings.monitor
        var settings = try display.monitorSettings(chosen, withoutTerminal: "for a relay without a UI run `imago serve`")

        let dataDirectory = RelayOptions.dataDirectoryURL(imagoSettings)
        let logURL = chosen.logFile.map { URL(fileURLWithPath: $0) } ?? dataDirectory.appendingPathComponent("imago.log")
        let logger = try RelayOptions.makeFileLogger(at: logURL, level: imagoSettings.relay.logLevel)
        let stack = try RelayStack(settings: imagoSettings, relay: relay, logger: logger)
        let port = try await stack.relay.start()
        settings.serverURL = "rtmp://\(HostAddress.reachable(forBindHost: stack.configuration.rtmpHost)):\(port)/live"
        switch stack.publishKeys {
        case .keys(let keys): settings.streamKeys = keys.sorted()
        case .open: settings.streamKeys = ["any key (--open)"]
        }
        let app = MonitorApp(registry: stack.relay.registry, faces: stack.faces, settings: settings)
        let monitor = MonitorService(app: app) {
            // The UI starts once the API listens (or failed to: then the group ends with that error).
            let apiPort = try await stack.api?.boundPort()
            return stack.apiAnnouncement(port: apiPort ?? 0, dataDirectory: dataDirectory)
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: stack.services + [
                .init(service: monitor, successTerminationBehavior: .gracefullyShutdownGroup),
                // SIGHUP is the terminal hanging up (the monitor restores it and exits); reload is SIGUSR1 here.
                .init(service: ConfigurationReload(
                    reload: { [relay, http, faces] in try RelayStack.settings(relay: relay, http: http, faces: faces) }, stack: stack,
                    signalNumber: SIGUSR1)),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
