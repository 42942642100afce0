import ImagoMedia

/// How the API hands out a picture: the file extension in the path picks it.
public enum ImageFormat: String, Sendable, Hashable, CaseIterable {
    /// Baseline JPEG (quality `?quality=`, default 85).
    case jpg
    /// Lossless PNG, RGB24.
    case png
    /// Bare RGB24 rows, top to bottom, `width*3` bytes each; the size is in the X-Imago-Width/-Height headers.
    case raw

    public var contentType: String {
        switch self {
        case .jpg: "image/jpeg"
        case .png: "image/png"
        case .raw: "application/octet-stream"
        }
    }
}

/// A picture as a request asked for it: format, size and JPEG quality.
public struct ImageRequest: Sendable, Hashable {
    public var format: ImageFormat
    /// Output size; nil keeps the source's.
    public var width: Int?
    public var height: Int?
    public var quality: Int

    public init(format: ImageFormat, width: Int? = nil, height: Int? = nil, quality: Int = 85) {
        self.format = format
        self.width = width
        self.height = height
        self.quality = quality
    }

    /// The output size for a `sourceWidth` x `sourceHeight` frame: the requested width and/or height (the
    /// other side keeping the aspect ratio), never larger than the source, never below 2 pixels.
    func size(sourceWidth: Int, sourceHeight: Int) -> (width: Int, height: Int) {
        var width = sourceWidth, height = sourceHeight
        switch (self.width, self.height) {
        case let (w?, h?): (width, height) = (w, h)
        case let (w?, nil): (width, height) = (w, max(1, (sourceHeight * w + sourceWidth / 2) / max(1, sourceWidth)))
        case let (nil, h?): (width, height) = (max(1, (sourceWidth * h + sourceHeight / 2) / max(1, sourceHeight)), h)
        case (nil, nil): break
        }
        return (max(2, min(width, sourceWidth)), max(2, min(height, sourceHeight)))
    }

    /// Encodes `frame` as asked. Blocks (tens of milliseconds for 1080p): call it off the event loops.
    func encode(_ frame: VideoFrame) throws(MediaError) -> EncodedImage {
        let (width, height) = size(sourceWidth: frame.width, sourceHeight: frame.height)
        let resized = width != frame.width || height != frame.height
        switch format {
        case .raw:
            let image = try FrameScaler().scaleRGB(frame, width: width, height: height)
            return EncodedImage(bytes: image.pixels, width: width, height: height, format: .raw)
        case .jpg, .png:
            let source = resized ? try VideoFrame(rgb24: FrameScaler().scaleRGB(frame, width: width, height: height), ptsMilliseconds: frame.ptsMilliseconds) : frame
            let bytes = try ImageEncoder.encode(source, as: format == .png ? .png : .jpeg(quality: quality))
            return EncodedImage(bytes: bytes, width: width, height: height, format: format)
        }
    }
}

/// An encoded picture with what its headers say.
public struct EncodedImage: Sendable {
    public let bytes: [UInt8]
    public let width: Int
    public let height: Int
    public let format: ImageFormat
}
