// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "imago",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "imago", targets: ["imago"]),
        .library(name: "ImagoRTMP", targets: ["ImagoRTMP"]),  // for the fuzz harnesses in Fuzz/
        .library(name: "ImagoCodecs", targets: ["ImagoCodecs"]),  // likewise
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // What every source's media is made of, whatever carried it: codec configuration records (avcC, hvcC,
        // av1C, AudioSpecificConfig), H.264 parameter sets, NAL units, and the escaping of text a peer sent.
        .target(name: "ImagoCodecs"),
        // RTMP handshake, chunk stream, AMF0, FLV tags and the NIO server. Knows nothing of FFmpeg or the UI.
        .target(
            name: "ImagoRTMP",
            dependencies: [
                "ImagoCodecs",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // FFmpeg's C libraries (Debian's libav*-dev), with a shim for the macros Swift cannot import.
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat libavcodec libswscale libavutil",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libavutil-dev"])]
        ),
        // Swift owners of FFmpeg objects: decoder, scaler, image encoder, MP4 writer.
        .target(name: "ImagoMedia", dependencies: ["CFFmpeg"]),
        // dlib's HOG frontal face detector (Debian's libdlib-dev) behind a plain C API. The scanner is header-only
        // template code compiled into this shim, so it is built optimised in every configuration (~100x slower at -O0).
        .target(
            name: "CDlibFaces",
            cxxSettings: [.unsafeFlags(["-O2"], .when(configuration: .debug))],
            // Debian's dlib/config.h makes code compiled into the shim call BLAS/LAPACK directly. Link the
            // runtime sonames libdlib depends on (libblas.so/liblapack.so exist only with the -dev packages).
            linkerSettings: [
                .linkedLibrary("dlib"), .linkedLibrary(":libblas.so.3"), .linkedLibrary(":liblapack.so.3"),
            ]
        ),
        // The face detector's Swift owner, and live detection over the streams: worker pool, boxes,
        // appeared/left events with hysteresis, stored in SQLite through GRDB.
        .target(
            name: "ImagoFaces",
            dependencies: [
                "CDlibFaces", "ImagoConfig", "ImagoCore", "ImagoMedia",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Every setting with its default and documentation, the small value types they are written in (sizes,
        // rates, addresses), and imago.toml read and written through TOMLKit. Knows nothing of the rest of imago.
        .target(name: "ImagoConfig", dependencies: [.product(name: "TOMLKit", package: "TOMLKit")]),
        // Stream registry, history ring, decoding, health figures, fed through one source-neutral interface
        // (feeds: `FeedRequest`, `MediaInput`). Knows neither RTMP, NIO nor ncurses.
        .target(
            name: "ImagoCore",
            dependencies: [
                "ImagoCodecs",
                "ImagoConfig",
                "ImagoMedia",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
        ),
        // How media gets into the core: the RTMP server's adapter (FLV/AMF0 to feeds), pulled sources read with
        // libavformat (reconnecting), the demo, and the `Relay` service that runs them.
        .target(
            name: "ImagoSources",
            dependencies: [
                "ImagoCore", "ImagoConfig", "ImagoRTMP", "ImagoMedia", "ImagoCodecs",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources")]
        ),
        // ncursesw (Debian's libncursesw5-dev); the shim switches on the wide-character API.
        .systemLibrary(name: "CNcursesw", providers: [.apt(["libncursesw5-dev"])]),
        // The terminal monitor: layout, input, themes, and the pure half-block renderer.
        .target(
            name: "ImagoTUI",
            dependencies: [
                "CNcursesw", "ImagoCore", "ImagoMedia", "ImagoFaces",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The HTTP API (Hummingbird): frames, history, clips, events and metrics for consumers elsewhere,
        // with bearer tokens and TLS. Knows neither RTMP nor ncurses.
        .target(
            name: "ImagoHTTP",
            dependencies: [
                "ImagoConfig", "ImagoCore", "ImagoFaces", "ImagoMedia", "ImagoCodecs",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources")]
        ),
        // Relays elsewhere through their HTTP API (AsyncHTTPClient): the monitor's remote source for
        // `imago watch`, and the client `imago snapshot` and `imago clip` use. Knows neither RTMP nor ncurses.
        .target(
            name: "ImagoRemote",
            dependencies: [
                "ImagoCore", "ImagoFaces", "ImagoMedia", "ImagoTUI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // The command line: argument parsing and wiring only.
        .executableTarget(
            name: "imago",
            dependencies: [
                "ImagoConfig",
                "ImagoCore",
                "ImagoCodecs",
                "ImagoRTMP",
                "ImagoSources",
                "ImagoFaces",
                "ImagoMedia",
                "ImagoTUI",
                "ImagoHTTP",
                "ImagoRemote",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Real peers for tests: a raw RTMP client, ffmpeg publishers, a log recorder.
        .target(
            name: "ImagoTestSupport",
            dependencies: [
                "ImagoRTMP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/ImagoTestSupport"
        ),
        .testTarget(
            name: "ImagoRTMPTests",
            dependencies: ["ImagoRTMP", "ImagoCodecs", "ImagoTestSupport", .product(name: "NIOCore", package: "swift-nio")],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "ImagoTUITests", dependencies: ["ImagoTUI", "ImagoTestSupport"]),
        .testTarget(
            name: "ImagoFacesTests", dependencies: ["ImagoFaces", "CDlibFaces", "ImagoCore", "ImagoSources", "ImagoMedia", "ImagoTestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "ImagoMediaTests", dependencies: ["ImagoMedia", "CFFmpeg", "ImagoTestSupport"]),
        .testTarget(name: "ImagoHTTPTests", dependencies: ["ImagoHTTP", "ImagoCore", "ImagoTestSupport"]),
        .testTarget(name: "ImagoCoreTests", dependencies: ["ImagoCore", "ImagoCodecs", "ImagoConfig", "ImagoMedia", "ImagoTestSupport"]),
        .testTarget(
            name: "ImagoSourcesTests", dependencies: ["ImagoSources", "ImagoConfig", "ImagoCore", "ImagoRTMP", "ImagoCodecs", "ImagoMedia", "ImagoTestSupport"],
            exclude: ["Fixtures"]),  // run from the source tree: the RTSP test server is a Python script
        .testTarget(name: "ImagoConfigTests", dependencies: ["ImagoConfig"]),
        .testTarget(name: "imagoTests", dependencies: ["imago", "ImagoConfig", "ImagoCore", "ImagoSources", "ImagoTestSupport"]),
    ],
    cxxLanguageStandard: .cxx17
)
