import ArgumentParser

/// `imago`: a live video-stream monitor for the terminal with an embedded RTMP relay.
@main
struct Imago: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A live video-stream monitor for the terminal, with an embedded RTMP relay.",
        discussion: "Without a subcommand, imago starts the relay and the terminal monitor (`imago monitor`).",
        version: "0.1.0",
        subcommands: [Monitor.self, Serve.self, Check.self, Events.self, Config.self, Cert.self, Watch.self, Snapshot.self, Clip.self, Publish.self, Bench.self],
        defaultSubcommand: Monitor.self
    )
}
