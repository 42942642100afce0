import Foundation
import ImagoCore
import ImagoFaces
import ImagoMedia
@testable import ImagoTUI
import XCTest

/// Every key the help lists, applied by the controller to a plain state: no terminal, no relay.
final class MonitorControllerTests: XCTestCase {
    private let a = StreamName(app: "live", key: "aaaaaaaa")
    private let b = StreamName(app: "live", key: "bbbbbbbb")

    private func context(livePts: Int64? = 5000, times: [Int64] = [1000, 2000, 3000, 4000, 5000]) -> MonitorContext {
        var context = MonitorContext()
        context.streams = [a, b]
        context.livePtsMilliseconds = livePts
        context.videoTimes = times
        context.healthLineCount = 20
        context.healthVisibleLines = 8
        context.helpLineCount = 22
        context.helpVisibleLines = 20
        context.themeNames = ["dark", "light", "high-contrast"]
        context.facesDetecting = true
        return context
    }

    private func apply(_ key: KeyPress, _ state: inout MonitorState, _ context: MonitorContext? = nil) -> [MonitorEffect] {
        guard let action = MonitorAction.action(for: key) else {
            XCTFail("\(key) has no action")
            return []
        }
        return MonitorController.apply(action, to: &state, context: context ?? self.context())
    }

    private func selected(_ name: StreamName) -> MonitorState {
        var state = MonitorState()
        state.selected = name
        return state
    }

    func testUpAndDownSelectStreamsAndFocusTheNewOne() {
        var state = selected(a)
        XCTAssertEqual(apply(.down, &state), [.focus(b), .repaint])
        XCTAssertEqual(state.selected, b)
        XCTAssertEqual(apply(.character("j"), &state), [], "the last stream stays selected")
        XCTAssertEqual(apply(.character("k"), &state), [.focus(a), .repaint])
        XCTAssertEqual(apply(.up, &state), [])
        XCTAssertEqual(state.selected, a)
    }

    func testSelectingAnotherStreamWhilePausedGoesBackToLiveFirst() {
        var state = selected(a)
        state.playhead = .paused(ptsMilliseconds: 2000)
        XCTAssertEqual(apply(.down, &state), [.forgetHistoryFrames(a), .focus(b), .repaint])
        XCTAssertEqual(state.playhead, .live)
    }

    func testTabMovesTheFocusAndUpDownThenScrollTheHealthPanelWithinItsLines() {
        var state = selected(a)
        XCTAssertEqual(apply(.tab, &state), [])
        XCTAssertEqual(state.focus, .health)
        for _ in 0..<30 { _ = apply(.down, &state) }
        XCTAssertEqual(state.healthScroll, 12, "20 lines, 8 visible")
        XCTAssertEqual(state.selected, a)
        _ = apply(.up, &state)
        XCTAssertEqual(state.healthScroll, 11)
        _ = apply(.character("\t"), &state)
        XCTAssertEqual(state.focus, .streamList)
    }

    func testEnterTogglesFullScreenAndRepaints() {
        var state = selected(a)
        XCTAssertEqual(apply(.enter, &state), [.repaint])
        XCTAssertTrue(state.fullScreen)
        XCTAssertEqual(apply(.character("\r"), &state), [.repaint])
        XCTAssertFalse(state.fullScreen)
    }

    func testSpacePausesOnTheLatestFrameAndResumes() {
        var state = selected(a)
        XCTAssertEqual(apply(.character(" "), &state), [.holdLatestFrame])
        XCTAssertEqual(state.playhead, .paused(ptsMilliseconds: 5000))
        XCTAssertEqual(apply(.character(" "), &state), [.forgetHistoryFrames(a)])
        XCTAssertEqual(state.playhead, .live)
        var empty = selected(a)
        XCTAssertEqual(apply(.character(" "), &empty, context(livePts: nil)), [.say("nothing to pause yet")])
        XCTAssertEqual(empty.playhead, .live)
    }

    func testLeftAndRightStepOneFrameWhenPaused() {
        var state = selected(a)
        XCTAssertEqual(apply(.left, &state), [.say("pause first (Space) to step frame by frame")])
        state.playhead = .paused(ptsMilliseconds: 3000)
        XCTAssertEqual(apply(.left, &state), [.showHistoryFrame(ptsMilliseconds: 2000)])
        XCTAssertEqual(apply(.right, &state), [.showHistoryFrame(ptsMilliseconds: 4000)])
        state.playhead = .paused(ptsMilliseconds: 5000)
        XCTAssertEqual(apply(.right, &state), [.say("newest frame in history")])
        state.playhead = .paused(ptsMilliseconds: 1000)
        XCTAssertEqual(apply(.left, &state), [.say("oldest frame in history")])
    }

    func testBracketsAndPagesSeekWithinHistory() {
        var state = selected(a)
        XCTAssertEqual(apply(.character("["), &state), [.showHistoryFrame(ptsMilliseconds: 4000)], "1 s before the live frame")
        XCTAssertEqual(apply(.character("]"), &state), [], "live: forward is where it is already")
        state.playhead = .paused(ptsMilliseconds: 2000)
        XCTAssertEqual(apply(.character("]"), &state), [.showHistoryFrame(ptsMilliseconds: 3000)])
        XCTAssertEqual(apply(.pageUp, &state), [.showHistoryFrame(ptsMilliseconds: 1000)], "clamped to the oldest")
        XCTAssertEqual(apply(.pageDown, &state), [.showHistoryFrame(ptsMilliseconds: 5000)], "clamped to the newest")
    }

    func testHomeShowsTheOldestFrameAndEndGoesLive() {
        var state = selected(a)
        XCTAssertEqual(apply(.home, &state), [.showHistoryFrame(ptsMilliseconds: 1000)])
        state.playhead = .paused(ptsMilliseconds: 1000)
        XCTAssertEqual(apply(.end, &state), [.forgetHistoryFrames(a)])
        XCTAssertEqual(state.playhead, .live)
    }

    func testSnapshotsAndClips() {
        var state = selected(a)
        XCTAssertEqual(apply(.character("s"), &state), [.snapshot(withFaces: false)])
        XCTAssertEqual(apply(.character("S"), &state), [.snapshot(withFaces: true)])
        var noFaces = context()
        noFaces.facesDetecting = false
        XCTAssertEqual(apply(.character("S"), &state, noFaces), [.say(MonitorController.facesOffMessage + ": use s")])
        let span = Int64(MonitorController.clipSpanSeconds) * 1000
        XCTAssertEqual(apply(.character("c"), &state), [.exportClip(fromMilliseconds: 5000 - span, toMilliseconds: 5000 + span, centerMilliseconds: 5000)])
        state.playhead = .paused(ptsMilliseconds: 2000)
        XCTAssertEqual(apply(.character("c"), &state), [.exportClip(fromMilliseconds: 2000 - span, toMilliseconds: 2000 + span, centerMilliseconds: 2000)])
        XCTAssertTrue(MonitorAction.help.contains { $0.keys == "c" && $0.action.contains("±\(MonitorController.clipSpanSeconds) s") },
                      "the help reads the clip span from the same constant")
    }

    func testFTogglesTheFaceBoxes() {
        var state = selected(a)
        XCTAssertEqual(apply(.character("f"), &state), [.say("face boxes off")])
        XCTAssertFalse(state.showFaces)
        XCTAssertEqual(apply(.character("f"), &state), [.say("face boxes on")])
        XCTAssertTrue(state.showFaces)
    }

    func testTheEventListOpensMovesJumpsExportsAndCloses() throws {
        var state = selected(a)
        XCTAssertEqual(apply(.character("e"), &state), [.refreshEvents, .repaint])
        var list = try XCTUnwrap(state.eventList)
        let events = (1...3).map { index in
            var event = StreamEvent(kind: .appeared, stream: "\(a)", date: Date(timeIntervalSince1970: Double(index)),
                                  ptsMilliseconds: Int64(index) * 1000, runID: "run", sourceWidth: 640, sourceHeight: 360, boxes: [])
            event.id = Int64(index)
            return event
        }
        list.update(events)
        state.eventList = list
        XCTAssertEqual(state.eventList?.selected?.id, 3, "newest first")
        XCTAssertEqual(apply(.down, &state), [])
        XCTAssertEqual(state.eventList?.selected?.id, 2)
        XCTAssertEqual(apply(.character("c"), &state), [.exportEventClip(events[1])])
        XCTAssertEqual(apply(.enter, &state), [.jump(to: events[1]), .repaint])
        XCTAssertFalse(state.overlay.isOpen, "Enter closes the list on the event")
        _ = apply(.character("e"), &state)
        XCTAssertEqual(apply(.character("e"), &state), [.repaint])
        XCTAssertFalse(state.overlay.isOpen)
        _ = apply(.character("e"), &state)
        XCTAssertEqual(apply(.escape, &state), [.repaint])
        XCTAssertFalse(state.overlay.isOpen)
    }

    func testHelpOpensScrollsAndClosesWithQuestionMarkHOrEscape() {
        var state = selected(a)
        XCTAssertEqual(apply(.character("?"), &state), [.repaint])
        XCTAssertTrue(state.overlay.isHelp)
        XCTAssertEqual(apply(.down, &state), [])
        XCTAssertEqual(apply(.down, &state), [])
        XCTAssertEqual(apply(.down, &state), [])
        guard case .help(let scroll) = state.overlay else { return XCTFail("help stays open") }
        XCTAssertEqual(scroll, 2, "22 lines, 20 visible")
        XCTAssertEqual(state.selected, a, "↑/↓ scroll the help while it is open")
        XCTAssertEqual(apply(.character("h"), &state), [.repaint])
        XCTAssertFalse(state.overlay.isOpen)
        _ = apply(.character("h"), &state)
        XCTAssertEqual(apply(.escape, &state), [.repaint])
        XCTAssertFalse(state.overlay.isOpen)
        XCTAssertEqual(apply(.escape, &state), [], "Esc with nothing open does nothing")
    }

    func testTCyclesThemesCtrlLAndResizeRepaintAndQQuits() {
        var state = selected(a)
        XCTAssertEqual(apply(.character("t"), &state), [.say("theme: light"), .repaint])
        XCTAssertEqual(apply(.character("t"), &state), [.say("theme: high-contrast"), .repaint])
        XCTAssertEqual(apply(.character("t"), &state), [.say("theme: dark"), .repaint])
        XCTAssertEqual(apply(.character("\u{0C}"), &state), [.repaint])
        XCTAssertEqual(apply(.resize, &state), [.repaint])
        XCTAssertEqual(apply(.character("q"), &state), [.quit])
        XCTAssertEqual(apply(.character("Q"), &state), [.quit])
    }

    func testIOpensAndClosesTheCheckPanelAndEscClosesItToo() {
        var state = MonitorState()
        XCTAssertEqual(apply(.character("i"), &state), [.repaint])
        XCTAssertTrue(state.overlay.isCheck)
        XCTAssertEqual(apply(.character("i"), &state), [.repaint])
        XCTAssertFalse(state.overlay.isOpen)
        _ = apply(.character("i"), &state)
        XCTAssertEqual(apply(.escape, &state), [.repaint])
        XCTAssertFalse(state.overlay.isOpen)
    }

    /// Each help entry's keys are bound (the help is the list these tests walk through).
    func testEveryKeyInTheHelpHasAnAction() {
        let keysByEntry: [String: [KeyPress]] = [
            "↑/↓ k/j": [.up, .down, .character("k"), .character("j")], "Tab": [.tab], "Enter": [.enter], "Space": [.character(" ")],
            "←/→": [.left, .right], "[ / ]": [.character("["), .character("]")], "PgUp/PgDn": [.pageUp, .pageDown], "Home": [.home],
            "End": [.end], "s": [.character("s")], "S": [.character("S")], "c": [.character("c")], "f": [.character("f")],
            "e": [.character("e")], "i": [.character("i")], "Esc": [.escape], "t": [.character("t")], "? h": [.character("?"), .character("h")],
            "Ctrl-L": [.character("\u{0C}")], "q": [.character("q")],
        ]
        XCTAssertEqual(Set(MonitorAction.help.map(\.keys)), Set(keysByEntry.keys), "a test for every entry of the help")
        for (entry, keys) in keysByEntry {
            for key in keys { XCTAssertNotNil(MonitorAction.action(for: key), "\(entry): \(key)") }
        }
    }
}

/// The help and the key bar at the sizes the monitor supports.
final class KeyHelpTests: XCTestCase {
    func testAt80ColumnsEveryHelpLineFitsAndNoWordIsLost() {
        let layout = Layout(rows: 24, columns: 80, fullScreen: false)
        let rect = MonitorApp.helpRect(layout)
        let lines = MonitorAction.helpLines(width: rect.width - 2)
        for line in lines { XCTAssertLessThanOrEqual(line.count, rect.width - 2, "'\(line)'") }
        XCTAssertLessThanOrEqual(lines.count, rect.height, "the whole help fits in 80x24 without scrolling")
        let shown = lines.joined(separator: " ").split(separator: " ").joined(separator: " ")
        for entry in MonitorAction.help {
            XCTAssertTrue(shown.contains(entry.action.split(separator: " ").joined(separator: " ")), entry.action)
        }
    }

    func testANarrowHelpWrapsUnderItsKeysInsteadOfCutting() {
        let lines = MonitorAction.helpLines(width: 40)
        XCTAssertTrue(lines.allSatisfy { $0.count <= 40 }, "\(lines)")
        XCTAssertGreaterThan(lines.count, MonitorAction.help.count + 1)
        let words = lines.dropFirst().joined(separator: " ").split(separator: " ").map(String.init)
        let expected = MonitorAction.help.flatMap { ($0.keys + " " + $0.action).split(separator: " ").map(String.init) }
        XCTAssertEqual(words, expected, "every word, in order")
    }

    func testTheKeyBarFitsAndKeepsHelpAndQuit() {
        for width in [60, 80, 100, 120, 160] {
            let pieces = MonitorAction.keyBarPieces(width: width)
            let text = pieces.map(\.text).joined()
            XCTAssertLessThan(text.count + 1, width + 1, "\(width): '\(text)'")
            XCTAssertTrue(text.contains("? help") && text.contains("q quit"), "\(width): '\(text)'")
        }
        let wide = MonitorAction.keyBarPieces(width: 160).filter(\.isKey).map(\.text)
        XCTAssertEqual(wide, MonitorAction.keyBar.map(\.key), "at 160 columns every key shows")
    }
}

/// The video pane redraws its whole region from the picture it holds whenever it is invalidated.
final class VideoPaneTests: XCTestCase {
    private func picture(_ color: RGB) throws -> VideoPane.Picture {
        let image = RGBImage(width: 64, height: 36) { x, _ in x < 32 ? color : .white }
        return VideoPane.Picture(frame: try VideoFrame(rgb24: image), number: 1, boxes: [], boxColor: .white)
    }

    func testAnInvalidatedPaneRepaintsTheSamePictureInFull() throws {
        let pane = VideoPane(options: .init(colorMode: .truecolor, changeThreshold: 0, framesPerSecond: 15, maxBytesPerSecond: nil, measuresPSNR: false))
        let still = try picture(RGB(r: 40, g: 120, b: 200))
        XCTAssertFalse(pane.place(VideoPane.region(sourceWidth: 64, sourceHeight: 36, in: Rect(row: 1, column: 31, width: 40, height: 20))))
        let first = pane.render(still)
        XCTAssertFalse(first.isEmpty)
        XCTAssertTrue(pane.isComplete)
        XCTAssertEqual(pane.render(still), [], "the region shows it already")
        pane.invalidate()
        XCTAssertFalse(pane.isComplete)
        XCTAssertEqual(pane.render(still), first, "the whole region again, though the frame did not change")
        XCTAssertEqual(pane.shown?.width, 40)
        XCTAssertEqual(pane.shown?.row, 1 + (20 - pane.shown!.height) / 2)
    }

    func testMovingTheRegionAsksForAClear() throws {
        let pane = VideoPane(options: .init(colorMode: .truecolor, changeThreshold: 0, framesPerSecond: 15, maxBytesPerSecond: nil, measuresPSNR: false))
        XCTAssertFalse(pane.place(Rect(row: 1, column: 31, width: 40, height: 11)), "the first placement moves nothing")
        XCTAssertFalse(pane.place(Rect(row: 1, column: 31, width: 40, height: 11)))
        XCTAssertTrue(pane.place(Rect(row: 1, column: 0, width: 80, height: 22)))
    }
}
