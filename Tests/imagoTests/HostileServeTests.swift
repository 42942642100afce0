import Foundation
import ImagoCore
import ImagoRTMP
import ImagoTestSupport
import XCTest

@testable import imago

/// `imago serve` as a hostile peer and a careless operator meet it: the real binary, real sockets, real pipes.
final class HostileServeTests: XCTestCase {
    private let key = "servekey-0123456789"

    private func listeningPort(_ imago: ImagoProcess) async -> Int? {
        _ = await eventually { imago.jsonLines.contains { $0["type"] as? String == "listening" } }
        return imago.jsonLines.first { $0["type"] as? String == "listening" }?["port"] as? Int
    }

    func testNaNInOnMetaDataKeepsServeAliveAndItsStatsLineWhole() async throws {
        // This once killed the process with SIGILL ("Double value cannot be converted to Int"), every stream with it.
        let imago = try ImagoProcess(["serve", "--rtmp", "127.0.0.1:0", "--key", key, "--json", "--stats-interval", "0.5", "--no-faces"])
        let announced = await listeningPort(imago)
        let port = try XCTUnwrap(announced, imago.standardError)
        let attacker = try RTMPTestClient(port: port)
        attacker.publish(key: key)
        attacker.send([.data([
            .string("@setDataFrame"), .string("onMetaData"),
            .ecmaArray([
                AMF0Property("encoder", .number(.nan)), AMF0Property("videocodecid", .number(1e300)),
                AMF0Property("audiocodecid", .number(.infinity)), AMF0Property("width", .number(.nan)),
            ]),
        ])], chunkStreamID: 5, messageStreamID: 1)
        let statsLine = await eventually(timeoutSeconds: 10) {
            imago.jsonLines.contains { $0["type"] as? String == "stats" && $0["name"] as? String == "live/\(self.key)" && $0["metadata"] != nil }
        }
        XCTAssertTrue(statsLine, imago.standardOutput + imago.standardError)
        let line = try XCTUnwrap(imago.jsonLines.last { $0["type"] as? String == "stats" && $0["metadata"] != nil })
        let metadata = try XCTUnwrap(line["metadata"] as? [String: Any])
        XCTAssertEqual(metadata["videoCodec"] as? String, "1e+300")
        XCTAssertNil(metadata["encoder"])
        XCTAssertNil(metadata["width"])
        XCTAssertEqual(line["state"] as? String, "live")
        XCTAssertTrue(imago.process.isRunning)
        imago.process.terminate()
        let status = await imago.waitForExit()
        XCTAssertEqual(status, 0, imago.standardError)
    }

    func testAStalledReaderOfServeOutputStallsNoIngestAndAClosedOneStopsOutputNotTheRelay() async throws {
        // Standard output is a pipe nobody reads: it fills within a second or two of stats lines.
        let process = Process()
        process.executableURL = ImagoProcess.binary
        process.arguments = ["serve", "--rtmp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--open", "--demo", "--no-faces", "--json", "--stats-interval", "0.02"]
        let output = Pipe()
        let errors = Locked("")
        let errorPipe = Pipe()
        errorPipe.fileHandleForReading.readabilityHandler = { handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            errors.withLock { $0 += text }
        }
        process.standardOutput = output
        process.standardError = errorPipe
        process.standardInput = FileHandle.nullDevice
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_DATA_HOME"] = FileManager.default.temporaryDirectory.appendingPathComponent("imago-xdg-\(UUID().uuidString)").path
        process.environment = environment
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let listening = await eventually(timeoutSeconds: 10) { errors.value.contains("RTMP server listening") }
        XCTAssertTrue(listening, errors.value)
        let port = try XCTUnwrap(errors.value.firstMatch(of: /address=127\.0\.0\.1:(\d+)/).flatMap { Int($0.output.1) })
        try await Task.sleep(for: .seconds(3))  // the pipe is full by now

        // A real publisher streams 4 s in real time: it finishes on time only if ingest never waits for stdout.
        let start = Date()
        let publisher = try FFmpegPublisher(url: "rtmp://127.0.0.1:\(port)/live/stalled-reader", seconds: 4, audio: false)
        let status = await publisher.wait(timeoutSeconds: 20)
        XCTAssertEqual(status, 0, publisher.errorOutput)
        XCTAssertLessThan(Date().timeIntervalSince(start), 9, "ffmpeg was not slowed by a stalled stdout")
        XCTAssertTrue(process.isRunning)

        // The reader goes away: output stops with one line on stderr, the relay keeps running.
        try output.fileHandleForReading.close()
        let noticed = await eventually(timeoutSeconds: 5) { errors.value.contains("stopped writing to standard output") }
        XCTAssertTrue(noticed, errors.value)
        try await Task.sleep(for: .seconds(1))
        XCTAssertTrue(process.isRunning, "EPIPE does not kill imago: \(errors.value)")
        let second = try FFmpegPublisher(url: "rtmp://127.0.0.1:\(port)/live/after-epipe", seconds: 2, audio: false)
        let secondStatus = await second.wait(timeoutSeconds: 20)
        XCTAssertEqual(secondStatus, 0, "the relay still takes publishers: \(second.errorOutput)")
        process.terminate()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, errors.value)
    }

    func testAFigureThatIsNotFiniteIsWrittenAsNullAndTheJSONLineStaysWhole() throws {
        struct Figures: Encodable { let width: Double; let height: Double; let fps: Double }
        let line = StreamHealth.jsonLine(for: Figures(width: .nan, height: .infinity, fps: 30))
        XCTAssertEqual(line, #"{"fps":30,"height":null,"width":null}"#)
        XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], line)
    }

    func testTheDataDirectoryAndTheLogAreReadableByTheirOwnerOnly() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("imago-private-\(UUID().uuidString)/data")
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        let log = directory.appendingPathComponent("imago.log")
        let logger = try RelayOptions.makeFileLogger(at: log, level: .info)
        logger.info("first line")
        func mode(_ url: URL) throws -> Int {
            try XCTUnwrap(FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int)
        }
        XCTAssertEqual(try mode(directory), 0o700)
        XCTAssertEqual(try mode(log), 0o600)
        XCTAssertTrue(try String(contentsOf: log, encoding: .utf8).contains("first line"))
        // A log file another tool created too openly is narrowed.
        chmod(log.path, 0o644)
        _ = try RelayOptions.makeFileLogger(at: log, level: .info)
        XCTAssertEqual(try mode(log), 0o600)
    }
}
