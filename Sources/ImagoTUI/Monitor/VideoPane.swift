import Foundation
import ImagoCore
import ImagoFaces
import ImagoMedia

/// The one owner of the video cells: it places the picture in the video panel, scales it, draws the
/// face boxes on it and turns it into the bytes that paint it, and it keeps the model of what the
/// terminal shows there (the renderer's). ncurses never writes into the region unless it clears or
/// repaints (`Screen.reserve` keeps its line updates out); whoever lets ncurses do that calls
/// `invalidate()`, and the next `render` paints the whole region from the picture, whether or not a
/// new frame came.
///
/// It also paces the video (adaptive fps), keeps it within a bandwidth limit and counts what it
/// cost (`RenderStatistics`, PSNR when lossy).
final class VideoPane {
    struct Options: Sendable {
        var colorMode: ColorMode
        /// The lossy threshold to start from (0 = exact).
        var changeThreshold: Int
        /// The most video frames drawn per second.
        var framesPerSecond: Double
        /// Most bytes per second written to the terminal (video and chrome); nil = no limit.
        var maxBytesPerSecond: Double?
        /// Measure the PSNR of what is shown against the exact image (costs a pass over the pixels).
        var measuresPSNR: Bool
    }

    /// What to show: a decoded picture and the boxes to draw on it.
    struct Picture {
        let frame: VideoFrame
        /// The decoder's frame number (live), nil for a frame decoded from history.
        let number: Int?
        let boxes: [FaceBox]
        let boxColor: RGB
    }

    /// What the region shows after the last `render`: the frame (by time and number) and where.
    typealias Shown = ShownVideoRecord.Region

    let options: Options
    private let scaler = FrameScaler()
    private var renderer: HalfBlockRenderer?
    /// The cells the picture takes (0-based), once placed.
    private(set) var region: Rect?
    /// The picture the region was last made to show, by identity: nil after `invalidate()`.
    private var drawn: (frame: ObjectIdentifier, boxes: [FaceBox])?
    /// The frame object `drawn` refers to, kept so its identity cannot be reused.
    private var drawnFrame: VideoFrame?
    private(set) var shown: Shown?
    private(set) var framesPerSecond: Double
    private var averageWriteSeconds = 0.0
    private(set) var bandwidth: BandwidthLimit?
    private(set) var statistics = RenderStatistics()

    init(options: Options) {
        self.options = options
        framesPerSecond = options.framesPerSecond
        // 5 % below the limit: the bucket may save up a quarter second, and a link has no room for bursts.
        bandwidth = options.maxBytesPerSecond.map { BandwidthLimit(bytesPerSecond: $0 * 0.95) }
    }

    /// The lossy threshold in force (a bandwidth limit moves it).
    var changeThreshold: Int { renderer?.changeThreshold ?? options.changeThreshold }

    /// False after `invalidate()` until the whole region has been painted again.
    var isComplete: Bool { drawn != nil }

    /// The terminal may no longer show what the region was painted with (a clear, an overlay, a theme
    /// or layout change): the next `render` paints every cell.
    func invalidate() {
        renderer?.invalidate()
        drawn = nil
    }

    /// The cells a `sourceWidth × sourceHeight` picture takes in `panel`: as large as fits undistorted, centred.
    static func region(sourceWidth: Int, sourceHeight: Int, in panel: Rect) -> Rect {
        let size = halfBlockSize(sourceWidth: sourceWidth, sourceHeight: sourceHeight, maxColumns: panel.width, maxRows: panel.height)
        return Rect(row: panel.row + (panel.height - size.rows) / 2, column: panel.column + (panel.width - size.columns) / 2,
                    width: size.columns, height: size.rows)
    }

    /// Places the picture at `region`; true when it moved (the caller then clears the screen, since the
    /// old cells outside the new region still show video).
    func place(_ region: Rect) -> Bool {
        guard region != self.region else { return false }
        let moved = self.region != nil
        self.region = region
        drawn = nil
        renderer = region.isEmpty ? nil : HalfBlockRenderer(
            top: region.row + 1, left: region.column + 1, columns: region.width, rows: region.height,
            options: .init(colorMode: options.colorMode, changeThreshold: renderer?.changeThreshold ?? options.changeThreshold))
        return moved
    }

    /// Whether `picture` is what the region shows in full already.
    func shows(_ picture: Picture) -> Bool {
        guard let drawn else { return false }
        return drawn.frame == ObjectIdentifier(picture.frame) && drawn.boxes == picture.boxes
    }

    /// The bytes that make the region show `picture` (placed with `place` first). Empty when it shows it
    /// already, or when the bandwidth limit holds the frame back (then it is tried again next tick).
    func render(_ picture: Picture, nowNanoseconds: UInt64 = MonotonicClock.nowNanoseconds()) -> [UInt8] {
        guard let region, var renderer, !shows(picture) else { return [] }
        if var limit = bandwidth {
            limit.refill(now: Double(nowNanoseconds) / 1e9)
            bandwidth = limit
            guard limit.allowsFrame else { return [] }
        }
        let cpuStart = RenderStatistics.threadCPUSeconds()
        let frame = picture.frame
        guard var image = try? scaler.scaleRGB(frame, width: region.width, height: region.height * 2) else { return [] }
        if !picture.boxes.isEmpty {
            image = FaceOverlay.drawing(picture.boxes, on: image, sourceWidth: frame.width, sourceHeight: frame.height,
                                        color: picture.boxColor, thickness: 1)
        }
        let bytes = renderer.render(image)
        drawn = (ObjectIdentifier(frame), picture.boxes)
        drawnFrame = frame
        shown = Shown(ptsMilliseconds: frame.ptsMilliseconds, frameNumber: picture.number, sourceWidth: frame.width,
                      sourceHeight: frame.height, row: region.row, column: region.column, width: region.width,
                      height: region.height, boxes: picture.boxes.count, changeThreshold: renderer.changeThreshold)
        if !bytes.isEmpty {
            statistics.add(frameBytes: bytes.count, cpuSeconds: RenderStatistics.threadCPUSeconds() - cpuStart)
            if options.measuresPSNR { statistics.add(psnr: peakSignalToNoiseRatio(renderer.displayedImage, image)) }
            if var limit = bandwidth {
                renderer.changeThreshold = limit.charge(bytes: bytes.count, threshold: renderer.changeThreshold,
                                                        floor: options.changeThreshold)
                bandwidth = limit
            }
        }
        self.renderer = renderer
        return bytes
    }

    /// Bytes written besides the video (ncurses' chrome) count against the bandwidth limit too.
    func spend(chromeBytes: Int) {
        bandwidth?.spend(bytes: chromeBytes)
    }

    /// Backs off when writing a frame takes most of a frame interval (the terminal or the link cannot
    /// take more), and recovers slowly towards the configured rate.
    func wrote(videoBytes: Int, seconds: Double) {
        guard videoBytes > 0 else { return }
        // A moving average, so one slow write (tmux busy for a moment) does not halve the frame rate.
        averageWriteSeconds = averageWriteSeconds * 0.8 + seconds * 0.2
        let interval = 1 / framesPerSecond
        if averageWriteSeconds > interval * 0.8 {
            framesPerSecond = max(1, framesPerSecond * 0.8)
            averageWriteSeconds = 0
        } else if framesPerSecond < options.framesPerSecond {
            framesPerSecond = min(options.framesPerSecond, framesPerSecond + 0.25)
        }
    }

    func finishStatistics(wallSeconds: Double) -> RenderStatistics {
        var result = statistics
        result.wallSeconds = wallSeconds
        return result
    }
}
