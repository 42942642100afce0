import CFFmpeg

/// A decoded picture. Immutable once made; it owns its AVFrame, so it can be handed to another thread
/// (decoder thread -> scaler/encoder thread) and read from several at once.
public final class VideoFrame: @unchecked Sendable {
    public let width: Int
    public let height: Int
    /// The frame's best_effort_timestamp in milliseconds (falls back to pts, then the packet dts).
    public let ptsMilliseconds: Int64
    /// The decoder marked this an intra (key) picture.
    public let isKeyframe: Bool
    /// The picture is damaged or was predicted from damaged pictures: FFmpeg flagged it
    /// (AV_FRAME_FLAG_CORRUPT or decode_error_flags), or the decoder saw an error since the last clean
    /// keyframe (see `VideoDecoder`). Show it if you like; do not trust it.
    public let isCorrupt: Bool
    /// libavutil's name of the pixel format, e.g. "yuv420p".
    public let pixelFormatName: String

    /// The owner of the AVFrame; nothing writes to it after init (that is what makes the class Sendable).
    let frame: Frame

    init(taking frame: Frame, markedCorrupt: Bool) {
        let f = frame.pointer.pointee
        self.frame = frame
        width = Int(f.width)
        height = Int(f.height)
        let nopts = cff_nopts_value()
        ptsMilliseconds = [f.best_effort_timestamp, f.pts, f.pkt_dts].first { $0 != nopts } ?? 0
        isKeyframe = f.key_frame != 0
        isCorrupt = markedCorrupt || VideoFrame.flaggedCorrupt(frame.pointer)
        pixelFormatName = av_get_pix_fmt_name(AVPixelFormat(rawValue: f.format)).map { String(cString: $0) } ?? "unknown(\(f.format))"
    }

    /// FFmpeg's own verdict: AV_FRAME_FLAG_CORRUPT or any FF_DECODE_ERROR_* bit.
    static func flaggedCorrupt(_ frame: UnsafePointer<AVFrame>) -> Bool {
        (frame.pointee.flags & AV_FRAME_FLAG_CORRUPT) != 0 || frame.pointee.decode_error_flags != 0
    }

    var pixelFormat: AVPixelFormat { AVPixelFormat(rawValue: frame.pointer.pointee.format) }

    /// The planes packed one after another without row padding (av_image_copy_to_buffer, alignment 1):
    /// exactly the bytes ffmpeg's rawvideo encoder produces for this frame. Empty for formats without planes in memory.
    func packedPlanes() -> [UInt8] {
        let size = av_image_get_buffer_size(pixelFormat, Int32(width), Int32(height), 1)
        guard size > 0 else { return [] }
        var written: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: Int(size)) { buffer, count in
            written = cff_frame_copy_to_buffer(frame.pointer, buffer.baseAddress, size)
            count = written > 0 ? Int(written) : 0
        }
        return written == size ? bytes : []
    }

    /// MD5 (lowercase hex) of the picture's planes packed without padding: exactly what
    /// `ffmpeg -i clip -f framemd5 -` prints for the same frame. Empty if the frame has no readable planes.
    public func md5() -> String {
        let bytes = packedPlanes()
        guard !bytes.isEmpty else { return "" }
        var digest = [UInt8](repeating: 0, count: 16)
        bytes.withUnsafeBufferPointer { av_md5_sum(&digest, $0.baseAddress, $0.count) }
        let hexDigits = Array("0123456789abcdef")
        return String(digest.flatMap { [hexDigits[Int($0 >> 4)], hexDigits[Int($0 & 0x0f)]] })
    }
}
