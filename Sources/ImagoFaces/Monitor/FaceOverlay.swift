import ImagoMedia

/// Draws face boxes as rectangle outlines onto packed RGB24 pixels of any size, mapping them from the
/// source frame's coordinates: the monitor draws them on the panel-sized picture (one pixel is half a
/// cell), snapshots and thumbnails on their own pictures.
public enum FaceOverlay {
    /// The colour used where no theme chooses one (thumbnails, snapshots): a bright green.
    public static let defaultColor = RGB(r: 0x3c, g: 0xff, b: 0x5a)

    /// Draws `boxes` (in a `sourceWidth`×`sourceHeight` frame's pixels) onto `pixels`, a `width`×`height`
    /// RGB24 picture of that frame, as outlines `thickness` pixels wide, clipped to the picture.
    public static func draw(_ boxes: [FaceBox], on pixels: inout [UInt8], width: Int, height: Int,
                            sourceWidth: Int, sourceHeight: Int, color: RGB, thickness: Int) {
        guard width > 0, height > 0, sourceWidth > 0, sourceHeight > 0, pixels.count >= width * height * 3 else { return }
        let scaleX = Double(width) / Double(sourceWidth)
        let scaleY = Double(height) / Double(sourceHeight)
        let stroke = max(1, thickness)
        pixels.withUnsafeMutableBufferPointer { buffer in
            func fill(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int) {
                let left = max(0, x0), right = min(width - 1, x1), top = max(0, y0), bottom = min(height - 1, y1)
                guard left <= right, top <= bottom else { return }
                for y in top...bottom {
                    for x in left...right {
                        let i = (y * width + x) * 3
                        buffer[i] = color.r
                        buffer[i + 1] = color.g
                        buffer[i + 2] = color.b
                    }
                }
            }
            for box in boxes {
                let left = Int((Double(box.left) * scaleX).rounded(.down))
                let top = Int((Double(box.top) * scaleY).rounded(.down))
                // The edge after the last column/row, mapped, then back to an inclusive index.
                let right = max(left, Int((Double(box.right + 1) * scaleX).rounded(.up)) - 1)
                let bottom = max(top, Int((Double(box.bottom + 1) * scaleY).rounded(.up)) - 1)
                fill(left, top, right, top + stroke - 1)
                fill(left, bottom - stroke + 1, right, bottom)
                fill(left, top, left + stroke - 1, bottom)
                fill(right - stroke + 1, top, right, bottom)
            }
        }
    }

    /// `image` (RGB24) with `boxes` drawn on it.
    public static func drawing(_ boxes: [FaceBox], on image: RGBImage, sourceWidth: Int, sourceHeight: Int,
                               color: RGB, thickness: Int) -> RGBImage {
        guard !boxes.isEmpty else { return image }
        var pixels = image.pixels
        draw(boxes, on: &pixels, width: image.width, height: image.height, sourceWidth: sourceWidth,
             sourceHeight: sourceHeight, color: color, thickness: thickness)
        return RGBImage(width: image.width, height: image.height, pixels: pixels)
    }
}
