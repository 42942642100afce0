import Foundation
import ImagoCore
@testable import ImagoTUI
import XCTest

/// The side panels at the smallest supported terminal: every health value fits its column.
final class ChromeRendererTests: XCTestCase {
    /// A 1080p stream with wide figures everywhere (as `imago serve --json` prints a stats line).
    private let health = """
        {"audio":{"bitsPerSecond":160341.2,"channels":2,"codec":"AAC","framesReceived":279,"profile":"AAC LC","sampleRate":48000},
         "buffer":{"bytes":20551509,"endMilliseconds":61976,"packets":4459,"seconds":60.976,"startMilliseconds":1000,"startsOnKeyframe":true,"videoFrames":1828},
         "connectedAt":"2026-11-25T17:30:14Z","connectedSeconds":86399.9,"dataMessages":0,
         "decode":{"decodeErrors":12,"decodeMillisecondsP50":10.495,"decodeMillisecondsP99":125.347,"frameAgeSeconds":1.024,"framesDecoded":178,
                   "framesPerSecond":59.99,"keyframesDecoded":3,"latencyMillisecondsP50":100.581,"latencyMillisecondsP99":999.451,
                   "latestPtsMilliseconds":5967,"maxQueuedPackets":1,"mode":"keyframes","queuedBytes":0,"queuedPackets":0,"skippedFrames":12345},
         "faces":{"detectionMillisecondsP50":125.5,"detectionMillisecondsP99":238.8,"detections":28,"detectionsPerSecond":14.87,"faceCount":12,
                  "lastDetectionAgeSeconds":0.04,"present":true},
         "lastPacketAgeSeconds":0.015,"players":{"behind":12,"bytesSent":987654321098,"count":123,"dropped":123456,"served":4567},"name":"live/0123456789abcdef","title":"live/0123456789abcdef","conditions":["frozen","silent"],"lastError":"no answer from rtsp://***@203.0.113.9/stream1 for 10 s while reading","uptimeRatio":0.987,"peer":"203.0.113.250:53122","reconnects":123,"state":"live",
         "video":{"bitsPerSecond":12441178.9,"codec":"H.264","declaredFramesPerSecond":60,"framesPerSecondFromArrival":59.99,
                  "framesPerSecondFromTimestamps":59.99,"framesReceived":180,"height":1080,"keyframeIntervalSeconds":10,"keyframesReceived":3,
                  "level":"4.1","maxReorderFrames":2,"profile":"High","width":1920}}
        """

    private func decodedHealth() throws -> StreamHealth {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(StreamHealth.self, from: Data(health.utf8))
    }

    func testAt80ColumnsEveryHealthValueFitsInItsCompactForm() throws {
        let stream = try decodedHealth()
        let layout = Layout(rows: 24, columns: 80, fullScreen: false)
        let width = ChromeRenderer.healthValueWidth(panelWidth: layout.health.width)
        XCTAssertLessThan(width, ChromeRenderer.fullValueWidth, "80 columns use the compact forms")
        for line in ChromeRenderer.healthLines(stream, compact: true) where line.label != "peer" && line.label != "encoder" {
            XCTAssertLessThanOrEqual(line.value.count, width, "\(line.label): '\(line.value)'")
        }
        XCTAssertGreaterThan(layout.video.width, 40, "the video keeps most of the width")
    }

    func testAt160ColumnsTheLongFormsFit() throws {
        let stream = try decodedHealth()
        let width = ChromeRenderer.healthValueWidth(panelWidth: Layout(rows: 48, columns: 160, fullScreen: false).health.width)
        XCTAssertGreaterThanOrEqual(width, ChromeRenderer.fullValueWidth)
        for line in ChromeRenderer.healthLines(stream) where line.label != "encoder" {
            XCTAssertLessThanOrEqual(line.value.count, width, "\(line.label): '\(line.value)'")
        }
    }

    func testHealthScrollStaysWithinTheLines() {
        XCTAssertEqual(ChromeRenderer.clampedHealthScroll(-3, lineCount: 20, visible: 13), 0)
        XCTAssertEqual(ChromeRenderer.clampedHealthScroll(5, lineCount: 20, visible: 13), 5)
        XCTAssertEqual(ChromeRenderer.clampedHealthScroll(50, lineCount: 20, visible: 13), 7)
        XCTAssertEqual(ChromeRenderer.clampedHealthScroll(2, lineCount: 5, visible: 13), 0)
    }
}
