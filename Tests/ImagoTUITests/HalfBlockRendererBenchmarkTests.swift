import ImagoMedia
import Foundation
import ImagoTUI
import XCTest

/// Prints what rendering costs; asserts nothing about time (machines differ; debug builds are slow).
final class HalfBlockRendererBenchmarkTests: XCTestCase {
    func testBenchmark160x45() {
        benchmark(columns: 160, rows: 45, frames: 90)
    }

    func testBenchmark320x96() {
        benchmark(columns: 320, rows: 96, frames: 30)
    }

    private func benchmark(columns: Int, rows: Int, frames: Int) {
        let images = (0..<frames).map {
            HalfBlock.naturalFrame(width: columns, height: rows * 2, frame: $0, noise: 2)
        }
        for mode in ColorMode.allCases {
            for threshold in mode == .truecolor ? [0, 4] : [0] {
                var renderer = HalfBlockRenderer(top: 2, left: 1, columns: columns, rows: rows,
                                                 options: .init(colorMode: mode, changeThreshold: threshold))
                let firstBytes = renderer.render(images[0]).count
                var bytes = 0
                let start = DispatchTime.now().uptimeNanoseconds
                for image in images.dropFirst() {
                    bytes += renderer.render(image).count
                }
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
                let perFrame = frames - 1
                print(String(format: "[bench] %dx%d %@ threshold %d: %.3f ms/frame, %d bytes/frame (first frame %d bytes)",
                             columns, rows, mode.rawValue, threshold, elapsed / Double(perFrame), bytes / perFrame, firstBytes))
            }
        }
    }
}
