import ImagoMedia
import Foundation

/// Clips generated once per test process with the ffmpeg CLI (lavfi sources, so no fixture files),
/// together with ffmpeg's own per-frame MD5s as the reference.
struct TestClip: Sendable {
    let path: String
    let file: DemuxedFile
    /// `ffmpeg -f framemd5` of the video stream, in output order.
    let referenceMD5s: [String]
}

enum TestClips {
    /// 2 s, 320x240, 30 fps testsrc2 as H.264 (libx264, GOP 15, 2 B-frames, yuv420p) with 44.1 kHz stereo AAC, in FLV
    /// exactly as an RTMP publisher would send it.
    static func h264() throws -> TestClip { try h264Result.get() }

    /// 1 s of 320x240 testsrc2 as HEVC (libx265, GOP 15, B-frames) in MP4: hvcC + length-prefixed NAL units.
    static func hevc() throws -> TestClip { try hevcResult.get() }

    /// 0.5 s of 320x240 testsrc2 as AV1 (libaom, fastest preset) in MP4: av1C + OBUs.
    static func av1() throws -> TestClip { try av1Result.get() }

    /// 3 s of 320x240 testsrc2 as H.264 with periodic intra refresh (x264 intra-refresh, keyint 30, no B-frames):
    /// one IDR at the start, then only recovery-point SEI, as some low-latency encoders send.
    static func h264IntraRefresh() throws -> TestClip { try h264IntraRefreshResult.get() }

    /// 0.5 s of flat red (color=c=red), 320x240 H.264 in FLV.
    static func red() throws -> TestClip { try redResult.get() }

    private static let h264Result = Result { () throws -> TestClip in
        try make("h264.flv", input: ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30:duration=2",
                                     "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=2"],
                 output: ["-c:v", "libx264", "-preset", "veryfast", "-g", "15", "-bf", "2", "-pix_fmt", "yuv420p",
                          "-c:a", "aac", "-ac", "2", "-b:a", "96k"])
    }.mapError(Wrapped.init)

    private static let hevcResult = Result { () throws -> TestClip in
        try make("hevc.mp4", input: ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30:duration=1"],
                 output: ["-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "keyint=15:min-keyint=15:bframes=2:log-level=error",
                          "-pix_fmt", "yuv420p"])
    }.mapError(Wrapped.init)

    private static let av1Result = Result { () throws -> TestClip in
        try make("av1.mp4", input: ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30:duration=0.5"],
                 output: ["-c:v", "libaom-av1", "-cpu-used", "8", "-usage", "realtime", "-g", "15", "-pix_fmt", "yuv420p"])
    }.mapError(Wrapped.init)

    private static let h264IntraRefreshResult = Result { () throws -> TestClip in
        try make("h264-intra-refresh.flv", input: ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30:duration=3"],
                 output: ["-c:v", "libx264", "-preset", "veryfast", "-x264-params", "intra-refresh=1:keyint=30", "-bf", "0",
                          "-pix_fmt", "yuv420p"])
    }.mapError(Wrapped.init)

    private static let redResult = Result { () throws -> TestClip in
        try make("red.flv", input: ["-f", "lavfi", "-i", "color=c=red:size=320x240:rate=30:duration=0.5"],
                 output: ["-c:v", "libx264", "-preset", "veryfast", "-g", "15", "-pix_fmt", "yuv420p"])
    }.mapError(Wrapped.init)

    private static func make(_ name: String, input: [String], output: [String]) throws -> TestClip {
        let path = try FFmpegTool.scratchDirectory().appendingPathComponent(name).path
        try FFmpegTool.ffmpeg(input + output + [path])
        return TestClip(path: path, file: try TestDemuxer.read(path), referenceMD5s: try FFmpegTool.frameMD5s(path))
    }

    /// Makes any error Sendable so the once-only results can be stored in static lets.
    struct Wrapped: Error, CustomStringConvertible {
        let description: String
        init(_ error: any Error) { description = String(describing: error) }
    }
}

extension TestClip {
    /// Decodes every video packet with a fresh `VideoDecoder`, then drains it.
    func decodeAllFrames(codec: MediaCodec) throws -> [VideoFrame] {
        try decodeAllFrames(with: VideoDecoder(codec: codec, extradata: file.video.extradata))
    }

    /// Decodes every video packet with `decoder`, then drains it.
    func decodeAllFrames(with decoder: VideoDecoder) throws -> [VideoFrame] {
        var frames: [VideoFrame] = []
        for packet in file.video.packets {
            frames += try decoder.decode(packet.data, ptsMilliseconds: packet.ptsMilliseconds,
                                         dtsMilliseconds: packet.dtsMilliseconds, isKeyframe: packet.isKeyframe)
        }
        frames += try decoder.drain()
        return frames
    }

    /// ffmpeg's reference MD5 for each presentation timestamp.
    var referenceMD5ByPts: [Int64: String] {
        Dictionary(uniqueKeysWithValues: zip(file.video.packets.map(\.ptsMilliseconds).sorted(), referenceMD5s))
    }
}
