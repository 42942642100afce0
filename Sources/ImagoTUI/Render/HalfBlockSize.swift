/// The largest region, in cells, that shows a `sourceWidth × sourceHeight` picture undistorted within
/// `maxColumns × maxRows`.
///
/// A half-block pixel is one cell wide and half a cell tall, so it is square when a cell is twice as tall as
/// wide — the usual terminal font. `cellAspect` (a cell's height / width) corrects other fonts. Each side is
/// rounded to the nearest cell, so the aspect ratio is off by less than one cell; a non-empty picture gets at
/// least one cell each way, an empty picture or region none.
public func halfBlockSize(sourceWidth: Int, sourceHeight: Int, maxColumns: Int, maxRows: Int,
                          cellAspect: Double = 2.0) -> (columns: Int, rows: Int) {
    guard sourceWidth > 0, sourceHeight > 0, maxColumns > 0, maxRows > 0, cellAspect > 0 else { return (0, 0) }
    // Measure in cell widths: the region is maxColumns wide and maxRows · cellAspect tall.
    let scale = min(Double(maxColumns) / Double(sourceWidth), Double(maxRows) * cellAspect / Double(sourceHeight))
    let columns = (Double(sourceWidth) * scale).rounded()
    let rows = (Double(sourceHeight) * scale / cellAspect).rounded()
    return (min(maxColumns, max(1, Int(columns))), min(maxRows, max(1, Int(rows))))
}
