import ArgumentParser

/// `imago`: a live video-stream monitor for the terminal with an embedded RTMP relay.
@main
struct Imago: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A live video-stream monitor for the terminal, with an embedded RTMP relay.",
        discussion: """
            Without a subcommand, imago starts the relay and the terminal monitor. \
            The terminal monitor is not built yet: use `imago serve` for the relay on its own.
            """,
        version: "0.1.0",
        subcommands: [Serve.self, Bench.self]
    )

    func run() async throws {
        throw ValidationError("the terminal monitor is not implemented yet; run `imago serve` for the relay without a UI")
    }
}
