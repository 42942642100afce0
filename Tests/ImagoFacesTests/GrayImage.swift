import Foundation
import XCTest

/// An 8-bit grayscale test image, made with the ffmpeg CLI (Debian's ffmpeg package).
struct GrayImage {
    var pixels: [UInt8]
    var width: Int
    var height: Int
    var bytesPerRow: Int

    /// Rows of exactly `width` bytes.
    init(pixels: [UInt8], width: Int, height: Int) {
        self.init(pixels: pixels, width: width, height: height, bytesPerRow: width)
    }

    init(pixels: [UInt8], width: Int, height: Int, bytesPerRow: Int) {
        self.pixels = pixels
        self.width = width
        self.height = height
        self.bytesPerRow = bytesPerRow
    }

    /// The public-domain NASA astronaut portrait from Fixtures/ (512×512), through `filter` if given.
    static func astronaut(filter: String? = nil, width: Int = 512, height: Int = 512) throws -> GrayImage {
        let png = try XCTUnwrap(
            Bundle.module.url(forResource: "astronaut", withExtension: "png", subdirectory: "Fixtures"),
            "Fixtures/astronaut.png is missing from the test bundle")
        var arguments = ["-i", png.path]
        if let filter { arguments += ["-vf", filter] }
        return try ffmpeg(arguments, width: width, height: height)
    }

    /// One frame of ffmpeg's testsrc2 pattern (colour bars, gradients, moving shapes, a clock: no faces).
    static func testPattern(width: Int, height: Int) throws -> GrayImage {
        try ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=\(width)x\(height)"], width: width, height: height)
    }

    /// The same picture with each row padded to `bytesPerRow` bytes of `padding`.
    func padded(toBytesPerRow newBytesPerRow: Int, with padding: UInt8) -> GrayImage {
        precondition(newBytesPerRow >= width)
        var result = [UInt8](repeating: padding, count: newBytesPerRow * height)
        for row in 0..<height {
            let source = row * bytesPerRow
            result.replaceSubrange(row * newBytesPerRow..<row * newBytesPerRow + width, with: pixels[source..<source + width])
        }
        return GrayImage(pixels: result, width: width, height: height, bytesPerRow: newBytesPerRow)
    }

    /// Runs `ffmpeg <input arguments> -frames:v 1 -f rawvideo -pix_fmt gray <file>` and reads the frame back.
    private static func ffmpeg(_ inputArguments: [String], width: Int, height: Int) throws -> GrayImage {
        let ffmpegPath = "/usr/bin/ffmpeg"
        guard FileManager.default.isExecutableFile(atPath: ffmpegPath) else {
            // make test installs it: a missing tool is a broken setup, not a reason to skip.
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "\(ffmpegPath) is not installed (Debian package ffmpeg; run make deps)"])
        }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ImagoFacesTests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("frame.gray")
        let errors = directory.appendingPathComponent("ffmpeg.stderr")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let errorHandle = try FileHandle(forWritingTo: errors)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: ffmpegPath)
        process.arguments = ["-hide_banner", "-nostdin", "-v", "error", "-y"] + inputArguments
            + ["-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", output.path]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errorHandle
        try process.run()
        process.waitUntilExit()
        try errorHandle.close()

        guard process.terminationStatus == 0 else {
            let message = String(decoding: try Data(contentsOf: errors), as: UTF8.self)
            throw FFmpegFailure(description: "ffmpeg \(process.arguments ?? []) exited \(process.terminationStatus): \(message)")
        }
        let pixels = [UInt8](try Data(contentsOf: output))
        guard pixels.count == width * height else {
            throw FFmpegFailure(description: "ffmpeg wrote \(pixels.count) bytes, expected \(width)x\(height)")
        }
        return GrayImage(pixels: pixels, width: width, height: height)
    }
}

struct FFmpegFailure: Error, CustomStringConvertible {
    let description: String
}
