import CNcursesw

/// A key the user pressed, as the monitor understands it.
enum KeyPress: Equatable, Sendable {
    case character(Character)
    case up, down, left, right, pageUp, pageDown, home, end, enter, tab, backTab, resize, escape
    case other(Int32)

    init(code: Int32) {
        switch code {
        case KEY_UP: self = .up
        case KEY_DOWN: self = .down
        case KEY_LEFT: self = .left
        case KEY_RIGHT: self = .right
        case KEY_PPAGE: self = .pageUp
        case KEY_NPAGE: self = .pageDown
        case KEY_HOME: self = .home
        case KEY_END: self = .end
        case KEY_ENTER: self = .enter
        case KEY_BTAB: self = .backTab
        case cnc_key_resize(): self = .resize
        default: self = .other(code)
        }
    }
}
