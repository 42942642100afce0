import CFFmpeg

/// An FFmpeg failure with av_strerror's text, plus what we were doing.
///
/// `code` is the negative AVERROR value FFmpeg returned (or the closest one for failures detected
/// before reaching FFmpeg, such as a missing decoder), `message` is text a user can act on.
public struct MediaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What we were doing, e.g. `"avcodec_send_packet (h264 decoder)"`.
    public let operation: String
    /// The AVERROR code (negative).
    public let code: Int32
    /// av_strerror's text for `code`, or a more specific explanation.
    public let message: String

    public init(operation: String, code: Int32, message: String) {
        self.operation = operation
        self.code = code
        self.message = message
    }

    /// An error for an FFmpeg return code, with av_strerror's text.
    public init(operation: String, code: Int32) {
        self.init(operation: operation, code: code, message: MediaError.text(for: code))
    }

    public var description: String { "\(operation): \(message)" }

    /// True when FFmpeg rejected the data itself (AVERROR_INVALIDDATA): corrupt or not the promised format.
    public var isInvalidData: Bool { code == cff_averror_invaliddata() }

    /// How a failure to open or read a source should be treated by something that retries.
    public enum SourceFailure: Sendable, Equatable {
        /// Retrying cannot help until someone changes something: credentials refused, nothing at that
        /// address, a protocol or format this FFmpeg does not have.
        case permanent
        /// The interrupt callback ended the call: a timeout, or a cancellation.
        case interrupted
        /// Anything else (refused, reset, unreachable, cut short): worth retrying.
        case transient
    }

    /// What a source failure means for retrying (see `SourceFailure`).
    public var sourceFailure: SourceFailure {
        let permanent = [
            cff_averror_http_unauthorized(), cff_averror_http_forbidden(), cff_averror_http_not_found(),
            cff_averror_protocol_not_found(), cff_averror_demuxer_not_found(), cff_averror(ENOENT), cff_averror(EACCES),
        ]
        if permanent.contains(code) { return .permanent }
        if code == cff_averror_exit() { return .interrupted }
        return .transient
    }

    /// av_strerror's text for an AVERROR code.
    public static func text(for code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        if cff_strerror(code, &buffer, buffer.count) < 0 {
            return "Error number \(code) occurred"
        }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: Failures detected on our side of the C boundary

    /// This libavcodec build has no decoder for `codec`.
    public static func decoderNotFound(_ codec: MediaCodec) -> MediaError {
        MediaError(
            operation: "avcodec_find_decoder(\(codec))",
            code: cff_averror_decoder_not_found(),
            message: "Decoder not found: this FFmpeg build cannot decode \(codec) (install a libavcodec with \(codec) support)"
        )
    }

    /// This libavcodec build has no encoder called `name`.
    public static func encoderNotFound(_ name: String) -> MediaError {
        MediaError(
            operation: "avcodec_find_encoder(\(name))",
            code: cff_averror_encoder_not_found(),
            message: "Encoder not found: this FFmpeg build has no \(name) encoder"
        )
    }

    /// libswscale or an encoder cannot handle the frame's pixel format.
    public static func unsupportedPixelFormat(_ name: String, operation: String) -> MediaError {
        MediaError(
            operation: operation,
            code: cff_averror(EINVAL),
            message: "Unsupported pixel format \(name): libswscale cannot convert it"
        )
    }

    /// A caller-supplied value is out of range (sizes, quality, codec kind).
    public static func invalidArgument(_ operation: String, _ explanation: String) -> MediaError {
        MediaError(operation: operation, code: cff_averror(EINVAL), message: "Invalid argument: \(explanation)")
    }

    /// A file system call failed with `posixErrno`; the message names the path and strerror's text.
    public static func file(_ operation: String, path: String, posixErrno: Int32) -> MediaError {
        let code = cff_averror(posixErrno)
        return MediaError(operation: operation, code: code, message: "\(text(for: code)): \(path)")
    }

    /// An FFmpeg allocator returned NULL.
    static func outOfMemory(_ operation: String) -> MediaError {
        MediaError(operation: operation, code: cff_averror(ENOMEM))
    }
}

/// Every FFmpeg return code goes through here: negative values become a `MediaError`.
@discardableResult
func check(_ result: Int32, _ operation: @autoclosure () -> String) throws(MediaError) -> Int32 {
    if result < 0 {
        throw MediaError(operation: operation(), code: result)
    }
    return result
}
