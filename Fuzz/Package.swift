// swift-tools-version:6.0
import PackageDescription

/// libFuzzer harnesses for Imago's wire parsers, one executable per parser.
///
/// A package of its own so the root package's build and tests never see sanitizer flags. Build with
/// `make fuzz-build` (the Makefile has the swift build line): with `--sanitize=fuzzer` each target links
/// libFuzzer's `main`, which calls the target's `LLVMFuzzerTestOneInput`. See README.md.
let harnesses = [
    "FuzzHandshake", "FuzzChunkParser", "FuzzAMF0", "FuzzFLVVideoTag", "FuzzFLVAudioTag", "FuzzAVCConfig",
    "FuzzHEVCConfig", "FuzzAV1Config", "FuzzH264SPS", "FuzzAudioSpecificConfig", "FuzzSession",
]

let package = Package(
    name: "ImagoFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "imago", path: ".."),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
    ],
    targets: [
        // Feeds one input in pieces, so parsers meet every split of a chunk or handshake.
        .target(name: "FuzzSupport", dependencies: [.product(name: "NIOCore", package: "swift-nio")]),
    ] + harnesses.map { name in
        .executableTarget(
            name: name,
            dependencies: [
                "FuzzSupport",
                .product(name: "ImagoRTMP", package: "imago"),
                .product(name: "ImagoCodecs", package: "imago"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        )
    }
)
