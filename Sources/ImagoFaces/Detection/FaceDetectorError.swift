import CDlibFaces

/// Why the face detector could not be created or could not look at an image.
public enum FaceDetectorError: Error, CustomStringConvertible, Sendable, Equatable {
    /// dlib could not load its built-in frontal face model; `reason` is dlib's message.
    case modelLoadFailed(reason: String)
    /// Width or height outside 1...`FaceDetector.maximumSide`.
    case invalidImageSize(width: Int, height: Int)
    /// `bytesPerRow` is below the width (8-bit gray needs one byte per pixel) or above `Int32.max`.
    case invalidBytesPerRow(bytesPerRow: Int, width: Int)
    /// The pixel array is shorter than `(height - 1) * bytesPerRow + width`.
    case pixelBufferTooSmall(byteCount: Int, width: Int, height: Int, bytesPerRow: Int)
    /// `upsample` outside `FaceDetector.upsampleRange`.
    case upsampleOutOfRange(Int)
    /// The image after upsampling would have more than `FaceDetector.maximumPixels` pixels.
    case imageTooLarge(width: Int, height: Int, upsample: Int)
    /// Memory ran out while detecting.
    case outOfMemory(width: Int, height: Int, upsample: Int)
    /// dlib threw while detecting; `reason` is its message.
    case detectionFailed(reason: String)

    public var description: String {
        switch self {
        case .modelLoadFailed(let reason):
            return "Could not create the face detector: dlib failed to load its frontal face model (\(reason)); "
                + "reinstall libdlib or rebuild Imago against the installed libdlib-dev"
        case .invalidImageSize(let width, let height):
            return "Cannot detect faces in a \(width)x\(height) image: width and height must be between 1 and "
                + "\(FaceDetector.maximumSide) pixels"
        case .invalidBytesPerRow(let bytesPerRow, let width):
            return "bytesPerRow \(bytesPerRow) does not fit an 8-bit grayscale image \(width) pixels wide: "
                + "it must be at least the width (one byte per pixel) and at most \(Int32.max)"
        case .pixelBufferTooSmall(let byteCount, let width, let height, let bytesPerRow):
            let required = FaceDetector.requiredByteCount(height: height, bytesPerRow: bytesPerRow, width: width)
            return "Pixel buffer holds \(byteCount) bytes but a \(width)x\(height) gray image with \(bytesPerRow) "
                + "bytes per row needs \(required)"
        case .upsampleOutOfRange(let upsample):
            return "upsample \(upsample) is out of range: use \(FaceDetector.upsampleRange.lowerBound)..."
                + "\(FaceDetector.upsampleRange.upperBound) (each step doubles width and height to find faces "
                + "half the size, at four times the cost)"
        case .imageTooLarge(let width, let height, let upsample):
            return "A \(width)x\(height) image upsampled \(upsample) time(s) has \(width << upsample)x"
                + "\(height << upsample) pixels, more than the face detector's limit of \(FaceDetector.maximumPixels): "
                + "downscale the frame or lower upsample"
        case .outOfMemory(let width, let height, let upsample):
            return "Out of memory detecting faces in a \(width)x\(height) image (upsample \(upsample)): "
                + "downscale the frame or lower upsample"
        case .detectionFailed(let reason):
            return "dlib failed while detecting faces: \(reason)"
        }
    }
}
