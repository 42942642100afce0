import CDlibFaces

/// One HOG detector; not thread-safe: one per worker thread (creating one takes ~0.5 s).
///
/// Wraps dlib's frontal face detector (HOG features + linear classifiers over an 80×80-pixel window,
/// slid over an image pyramid). It finds upright faces from about 60 pixels across upwards; pass
/// `upsample: 1` to find faces down to about 30 pixels, at four times the cost. Scores below about 0.5
/// are often false positives (patterned clothing scored 0.05–0.3 in tests): filter when that matters.
public final class FaceDetector {
    /// Largest accepted width or height.
    public static let maximumSide = Int(DLF_MAX_SIDE)
    /// Accepted values of `upsample`.
    public static let upsampleRange = 0...Int(DLF_MAX_UPSAMPLE)
    /// Largest image, in pixels after upsampling, the detector accepts (2^25, about an 8K UHD frame).
    public static let maximumPixels = Int(DLF_MAX_PIXELS)

    private let detector: OpaquePointer
    /// Receives the shim's results; grown when a frame holds more faces than it has room for.
    private var boxes = [dlf_box](repeating: dlf_box(), count: 16)

    /// Loads dlib's built-in frontal face model (about half a second: create one per thread, once).
    public init() throws(FaceDetectorError) {
        var message = [CChar](repeating: 0, count: 512)
        guard let detector = dlf_create(&message, message.count) else {
            throw .modelLoadFailed(reason: Self.string(fromNulTerminated: message))
        }
        self.detector = detector
    }

    deinit {
        dlf_destroy(detector)
    }

    /// Faces in an 8-bit grayscale image (rows of `bytesPerRow`), in that image's pixel coordinates, best score first.
    ///
    /// `pixels` must hold `(height - 1) * bytesPerRow + width` bytes; padding after each row is ignored.
    /// `upsample` doubles the image that many times before scanning, to find smaller faces (see the type's notes).
    public func detect(
        gray pixels: [UInt8], width: Int, height: Int, bytesPerRow: Int, upsample: Int = 0
    ) throws(FaceDetectorError) -> [FaceBox] {
        try Self.validate(
            byteCount: pixels.count, width: width, height: height, bytesPerRow: bytesPerRow, upsample: upsample)

        var found = run(pixels, width: width, height: height, bytesPerRow: bytesPerRow, upsample: upsample)
        if found > boxes.count {
            // More faces than room: make room and ask again (the detector is deterministic; this is rare).
            boxes = [dlf_box](repeating: dlf_box(), count: Int(found))
            found = run(pixels, width: width, height: height, bytesPerRow: bytesPerRow, upsample: upsample)
        }
        guard found >= 0 else {
            throw error(forCode: found, width: width, height: height, bytesPerRow: bytesPerRow, upsample: upsample)
        }
        return boxes.prefix(min(Int(found), boxes.count)).map {
            FaceBox(left: Int($0.left), top: Int($0.top), right: Int($0.right), bottom: Int($0.bottom), score: $0.score)
        }
    }

    // MARK: Internals

    /// Bytes an image of this shape needs: every row but the last padded to `bytesPerRow`.
    static func requiredByteCount(height: Int, bytesPerRow: Int, width: Int) -> Int {
        (height - 1) * bytesPerRow + width
    }

    /// The same checks as the shim's, made here so each failure gets its own error with the caller's numbers,
    /// plus the one the shim cannot make (the buffer's length).
    private static func validate(
        byteCount: Int, width: Int, height: Int, bytesPerRow: Int, upsample: Int
    ) throws(FaceDetectorError) {
        guard (1...maximumSide).contains(width), (1...maximumSide).contains(height) else {
            throw .invalidImageSize(width: width, height: height)
        }
        guard bytesPerRow >= width, bytesPerRow <= Int(Int32.max) else {
            throw .invalidBytesPerRow(bytesPerRow: bytesPerRow, width: width)
        }
        guard upsampleRange.contains(upsample) else {
            throw .upsampleOutOfRange(upsample)
        }
        guard (width << upsample) * (height << upsample) <= maximumPixels else {
            throw .imageTooLarge(width: width, height: height, upsample: upsample)
        }
        // Cannot overflow: height <= 16384 and bytesPerRow <= Int32.max.
        guard byteCount >= requiredByteCount(height: height, bytesPerRow: bytesPerRow, width: width) else {
            throw .pixelBufferTooSmall(byteCount: byteCount, width: width, height: height, bytesPerRow: bytesPerRow)
        }
    }

    /// Calls the shim with arguments `validate` accepted; returns its count or negative error code.
    private func run(_ pixels: [UInt8], width: Int, height: Int, bytesPerRow: Int, upsample: Int) -> Int32 {
        pixels.withUnsafeBufferPointer { gray in
            boxes.withUnsafeMutableBufferPointer { out in
                dlf_detect(
                    detector, gray.baseAddress, Int32(width), Int32(height), Int32(bytesPerRow), Int32(upsample),
                    out.baseAddress, Int32(out.count))
            }
        }
    }

    private func error(
        forCode code: Int32, width: Int, height: Int, bytesPerRow: Int, upsample: Int
    ) -> FaceDetectorError {
        switch Int(code) {
        case Int(DLF_ERROR_IMAGE_SIZE):
            return .invalidImageSize(width: width, height: height)
        case Int(DLF_ERROR_STRIDE):
            return .invalidBytesPerRow(bytesPerRow: bytesPerRow, width: width)
        case Int(DLF_ERROR_UPSAMPLE):
            return .upsampleOutOfRange(upsample)
        case Int(DLF_ERROR_TOO_LARGE):
            return .imageTooLarge(width: width, height: height, upsample: upsample)
        case Int(DLF_ERROR_OUT_OF_MEMORY):
            return .outOfMemory(width: width, height: height, upsample: upsample)
        case Int(DLF_ERROR_DLIB):
            let reason = Self.string(fromNulTerminated: dlf_last_error(detector))
            return .detectionFailed(reason: reason.isEmpty ? "no message" : reason)
        default:
            return .detectionFailed(reason: "dlf_detect returned unexpected code \(code)")
        }
    }

    private static func string(fromNulTerminated characters: [CChar]) -> String {
        let bytes = characters.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func string(fromNulTerminated pointer: UnsafePointer<CChar>?) -> String {
        guard let pointer else { return "" }
        return String(cString: pointer)
    }
}

/// A detector is used by one thread at a time (dlib's scanner keeps per-call state); it may be created on,
/// or handed over to, the thread that uses it, but never shared.
@available(*, unavailable)
extension FaceDetector: Sendable {}
