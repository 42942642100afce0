import Foundation

/// Writes the renderer's bytes straight to the terminal (standard output), all of them.
enum TerminalOutput {
    /// Returns the seconds the write took: a slow terminal or ssh link shows up here first.
    @discardableResult
    static func write(_ bytes: [UInt8]) -> Double {
        let start = Date()
        var offset = 0
        bytes.withUnsafeBytes { buffer in
            while offset < buffer.count {
                let written = Foundation.write(1, buffer.baseAddress! + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno != EINTR && errno != EAGAIN {
                    return
                }
            }
        }
        return Date().timeIntervalSince(start)
    }
}
