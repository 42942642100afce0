/// Where the terminal's cursor is during a frame, and the cheapest way to move it to the next changed cell.
struct CursorTracker {
    /// Unknown (0) at the start of a frame: wherever ncurses left it.
    private var row = 0
    private var column = 0

    /// Moves to the 1-based (`row`, `column`) unless the cursor is there already, then accounts for the one
    /// cell about to be written. Forward along the row it sends `ESC[nC` (`ESC[C` for one cell), which is
    /// always shorter than `ESC[row;colH` since n < col and the latter also spells the row; anywhere else,
    /// `ESC[row;colH` (`ESC[rowH` in column 1).
    @inline(__always)
    mutating func move(toRow row: Int, column: Int, into out: inout TerminalByteWriter) {
        defer {
            self.row = row
            self.column = column + 1
        }
        if row == self.row && column == self.column { return }
        out.csi()
        if row == self.row && column > self.column {
            let skip = column - self.column
            if skip != 1 { out.decimal(skip) }
            out.byte(0x43)  // C: cursor forward
            return
        }
        out.decimal(row)
        if column != 1 {
            out.byte(0x3B)
            out.decimal(column)
        }
        out.byte(0x48)  // H: cursor position
    }
}
