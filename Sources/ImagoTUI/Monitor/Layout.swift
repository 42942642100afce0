/// A rectangle of cells, 0-based.
struct Rect: Equatable, Sendable {
    var row: Int, column: Int, width: Int, height: Int
    var isEmpty: Bool { width <= 0 || height <= 0 }
}

/// Where each panel goes for a terminal size. Pure, so every size can be tested.
struct Layout: Equatable, Sendable {
    var title: Rect
    var streamList: Rect
    var health: Rect
    var video: Rect
    var timeline: Rect
    var status: Rect
    var hints: Rect

    /// The side column shrinks on small terminals and disappears in full-screen mode; the video
    /// panel always keeps what is left.
    init(rows: Int, columns: Int, fullScreen: Bool) {
        title = Rect(row: 0, column: 0, width: columns, height: 1)
        hints = Rect(row: rows - 1, column: 0, width: columns, height: 1)
        status = Rect(row: rows - 2, column: 0, width: columns, height: 1)
        let bodyTop = 1
        let bodyHeight = max(0, rows - 3)
        // 30 columns from 80 up: room for every health value in its compact form (see ChromeRenderer).
        let sideWidth = fullScreen ? 0 : min(44, max(columns >= 80 ? 30 : 24, columns * 3 / 10))
        let listHeight = fullScreen ? 0 : min(max(3, bodyHeight / 3), 12)
        streamList = Rect(row: bodyTop, column: 0, width: sideWidth, height: listHeight)
        health = Rect(row: bodyTop + listHeight, column: 0, width: sideWidth, height: fullScreen ? 0 : bodyHeight - listHeight)
        let videoColumn = sideWidth == 0 ? 0 : sideWidth + 1
        timeline = Rect(row: bodyTop + bodyHeight - 1, column: videoColumn, width: columns - videoColumn, height: 1)
        video = Rect(row: bodyTop, column: videoColumn, width: columns - videoColumn, height: max(0, bodyHeight - 1))
    }
}
