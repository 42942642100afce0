import Foundation
import ImagoMedia
import ImagoTUI

/// Compares what a terminal shows with the half-block image of a frame, cell for cell, without asking
/// the monitor's renderer what it believes it sent: the cells come from `tmux capture-pane -e -p`
/// (tmux's own grid), the pixels from decoding the published clip again with the ffmpeg CLI and
/// scaling that frame with `FrameScaler`, the library call the monitor uses, to the region's size.
///
/// The half-block mapping (README, `HalfBlockRenderer`): cell (x, y) of a region shows pixel (x, 2y) in
/// its upper half and (x, 2y+1) in its lower half; '▀' paints the upper with the foreground and the
/// lower with the background, '▄' the other way round, '█' both with the foreground, ' ' both with the
/// background. A cell matches when the two colours it shows are those pixels (within `threshold` per
/// channel; in 256 colours, the palette index nearest to each), with no attribute (reverse, hidden)
/// that would change what is seen.
enum ScreenTruth {
    enum Color: Equatable {
        case rgb(RGB)
        case indexed(UInt8)
    }

    struct Cell: Equatable {
        var glyph: Character = " "
        var foreground: Color?
        var background: Color?
        var reverse = false
        var hidden = false
    }

    /// The cells of a `capture-pane -e -p` text, row by row (one cell per character: the monitor draws
    /// only single-width characters).
    static func cells(fromCapture text: String) -> [[Cell]] {
        var rows: [[Cell]] = []
        var pen = Cell()
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var row: [Cell] = []
            var index = line.startIndex
            while index < line.endIndex {
                let character = line[index]
                if character == "\u{1B}" {
                    // CSI … final byte; only SGR (m) changes the pen.
                    var end = line.index(after: index)
                    guard end < line.endIndex, line[end] == "[" else { index = end; continue }
                    end = line.index(after: end)
                    let parametersStart = end
                    while end < line.endIndex, let ascii = line[end].asciiValue, !(0x40...0x7E).contains(ascii) { end = line.index(after: end) }
                    guard end < line.endIndex else { break }
                    if line[end] == "m" { apply(String(line[parametersStart..<end]), to: &pen) }
                    index = line.index(after: end)
                    continue
                }
                var cell = pen
                cell.glyph = character
                row.append(cell)
                index = line.index(after: index)
            }
            rows.append(row)
        }
        return rows
    }

    private static func apply(_ parameters: String, to pen: inout Cell) {
        let values = parameters.isEmpty ? [0] : parameters.split(separator: ";", omittingEmptySubsequences: false).map { Int($0) ?? 0 }
        var i = 0
        func color(at i: inout Int) -> Color? {
            guard i + 1 < values.count else { return nil }
            if values[i + 1] == 2, i + 4 < values.count {
                defer { i += 4 }
                return .rgb(RGB(r: UInt8(clamping: values[i + 2]), g: UInt8(clamping: values[i + 3]), b: UInt8(clamping: values[i + 4])))
            }
            if values[i + 1] == 5, i + 2 < values.count {
                defer { i += 2 }
                return .indexed(UInt8(clamping: values[i + 2]))
            }
            return nil
        }
        while i < values.count {
            let value = values[i]
            switch value {
            case 0: pen = Cell()
            case 7: pen.reverse = true
            case 27: pen.reverse = false
            case 8: pen.hidden = true
            case 28: pen.hidden = false
            case 30...37: pen.foreground = .indexed(UInt8(value - 30))
            case 90...97: pen.foreground = .indexed(UInt8(value - 90 + 8))
            case 40...47: pen.background = .indexed(UInt8(value - 40))
            case 100...107: pen.background = .indexed(UInt8(value - 100 + 8))
            case 39: pen.foreground = nil
            case 49: pen.background = nil
            case 38: pen.foreground = color(at: &i)
            case 48: pen.background = color(at: &i)
            default: break
            }
            i += 1
        }
    }

    /// The (upper, lower) colours a cell shows, if it is a half-block cell in explicit colours.
    static func shownColors(of cell: Cell) -> (upper: Color, lower: Color)? {
        guard !cell.reverse, !cell.hidden else { return nil }
        switch cell.glyph {
        case "▀": if let f = cell.foreground, let b = cell.background { return (f, b) }
        case "▄": if let f = cell.foreground, let b = cell.background { return (b, f) }
        case "█": if let f = cell.foreground { return (f, f) }
        case " ": if let b = cell.background { return (b, b) }
        default: break
        }
        return nil
    }

    /// The cells of `region` (0-based row, column, width, height in cells) that do not show `image`
    /// (`width × 2·height` pixels), and a description of the first.
    static func mismatches(in cells: [[Cell]], row: Int, column: Int, width: Int, height: Int, image: RGBImage,
                           threshold: Int = 0) -> (count: Int, first: String?) {
        var count = 0
        var first: String?
        for y in 0..<height {
            for x in 0..<width {
                let upper = image[x: x, y: 2 * y], lower = image[x: x, y: 2 * y + 1]
                let line = row + y < cells.count ? cells[row + y] : []
                let cell = column + x < line.count ? line[column + x] : nil
                if let cell, let shown = shownColors(of: cell), matches(shown.upper, upper, threshold), matches(shown.lower, lower, threshold) {
                    continue
                }
                count += 1
                if first == nil { first = "cell (\(x), \(y)) of the region: expected \(upper) over \(lower), terminal shows \(cell.map { "\($0)" } ?? "nothing")" }
            }
        }
        return (count, first)
    }

    private static func matches(_ shown: Color, _ pixel: RGB, _ threshold: Int) -> Bool {
        switch shown {
        case .rgb(let c):
            return abs(Int(c.r) - Int(pixel.r)) <= threshold && abs(Int(c.g) - Int(pixel.g)) <= threshold
                && abs(Int(c.b) - Int(pixel.b)) <= threshold
        case .indexed(let index):
            return index == XtermPalette.nearest256(pixel)
        }
    }

    struct Failure: Error, CustomStringConvertible { let description: String }

    /// The frame of `clip` whose presentation time is `ptsMilliseconds` (FLV: milliseconds), decoded by
    /// the ffmpeg CLI and scaled to `width × height` pixels by `FrameScaler`.
    static func expectedImage(clip: URL, ptsMilliseconds: Int64, sourceWidth: Int, sourceHeight: Int,
                              width: Int, height: Int) throws -> RGBImage {
        let ffmpeg = Process()
        ffmpeg.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        // -copyts: the file's own times (ffmpeg otherwise shifts them so the first is 0; with B-frames it is not).
        ffmpeg.arguments = ["-v", "error", "-nostdin", "-copyts", "-i", clip.path, "-an", "-vf", "select=eq(pts\\,\(ptsMilliseconds))",
                            "-fps_mode", "passthrough", "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-"]
        let output = Pipe()
        ffmpeg.standardOutput = output
        ffmpeg.standardError = FileHandle.nullDevice
        try ffmpeg.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        ffmpeg.waitUntilExit()
        guard !data.isEmpty else { throw Failure(description: "\(clip.lastPathComponent) has no frame at pts \(ptsMilliseconds) ms") }
        let frame = try VideoFrame(yuv420p: [UInt8](data), width: sourceWidth, height: sourceHeight, ptsMilliseconds: ptsMilliseconds)
        return try FrameScaler().scaleRGB(frame, width: width, height: height)
    }

    /// What the monitor says its video region shows (the `IMAGO_MONITOR_SHOWN_FILE` JSON).
    typealias Shown = ShownVideoRecord

    /// The result of one comparison of the screen with the frame shown.
    struct Check {
        var shown: Shown
        var mismatches: Int
        var firstMismatch: String?
        var cells: Int
    }

    /// Captures `session` while the monitor shows one frame throughout (the shown file's record is the
    /// same before and after the capture, and was written at least `settleSeconds` earlier) and compares.
    /// `clipSize`: the clip's picture size when the monitor got its frames already scaled (`imago watch`).
    static func check(_ session: TmuxSession, shownFile: URL, clip: (String) -> URL?, threshold: Int = 0, clipSize: (width: Int, height: Int)? = nil,
                      attempts: Int = 60, settleSeconds: Double = 0.1) throws -> Check? {
        for _ in 0..<attempts {
            guard let before = Shown.read(shownFile) else { Thread.sleep(forTimeInterval: 0.1); continue }
            Thread.sleep(forTimeInterval: settleSeconds)
            let capture = session.capture(escapes: true, trailingSpaces: true)
            guard let after = Shown.read(shownFile), after.sequence == before.sequence else { continue }
            guard let stream = after.stream, let url = clip(stream) else { return nil }
            let region = after.shown
            let image = try expectedImage(clip: url, ptsMilliseconds: region.ptsMilliseconds, sourceWidth: clipSize?.width ?? region.sourceWidth,
                                          sourceHeight: clipSize?.height ?? region.sourceHeight, width: region.width, height: region.height * 2)
            let result = mismatches(in: cells(fromCapture: capture), row: region.row, column: region.column, width: region.width,
                                    height: region.height, image: image, threshold: threshold)
            return Check(shown: after, mismatches: result.count, firstMismatch: result.first, cells: region.width * region.height)
        }
        return nil
    }
}
