import Foundation
import ImagoMedia

/// Clips for the picture and sound analysers, made once per test process with the ffmpeg CLI and carried in
/// FLV as an RTMP publisher sends them. Video is encoded as OBS does for a live stream: libx264 ultrafast,
/// zerolatency, CBR 2500 kb/s, a keyframe every 2 s.
enum SignalClips {
    /// 8 s of one still testsrc2 frame (1280x720, looped from a PNG), encoded live: the only changes from frame
    /// to frame are the encoder's.
    static func still() throws -> TestClip { try stillResult.get() }

    /// The same still frame with fresh grain in every frame (`noise=alls=8:allf=t`), as a camera on a still scene sends.
    static func noisyStill() throws -> TestClip { try noisyStillResult.get() }

    /// 6 s of moving testsrc2, 1280x720.
    static func moving() throws -> TestClip { try movingResult.get() }

    /// 14 s of 1280x720 testsrc2: moving for 3 s, one picture held from 3 s to 11 s (frames 90...329, made
    /// with `loop`; checked with framemd5), then moving again.
    static func movingStillMoving() throws -> TestClip { try movingStillMovingResult.get() }

    /// First pts (ms) of the held picture and of the motion after it in `movingStillMoving`.
    static let stillStartMilliseconds: Int64 = 3000
    static let motionResumesMilliseconds: Int64 = 11_000

    /// 8 s of a flat grey 1280x720 background with one 80x80 box swaying ±30 px once a second, a small
    /// moving part (a head, a hand) on a still scene.
    static func swayingBox() throws -> TestClip { try swayingBoxResult.get() }

    /// 8 s of a flat grey background with a 40x16 "mouth" that turns dark and light every 0.2 s.
    static func talkingMouth() throws -> TestClip { try talkingMouthResult.get() }

    /// 4 s of flat colour, 640x360, in the given pixel format (yuv420p is limited range, yuvj420p full range).
    static func flat(_ colour: String, pixelFormat: String = "yuv420p") throws -> TestClip {
        try make("flat-\(colour)-\(pixelFormat).flv", input: ["-f", "lavfi", "-i", "color=c=\(colour):size=640x360:rate=30:duration=4"],
                 output: liveH264 + ["-pix_fmt", pixelFormat])
    }

    /// libx264 as OBS sets it up for streaming.
    static let liveH264 = ["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
                           "-b:v", "2500k", "-maxrate", "2500k", "-bufsize", "2500k", "-g", "60"]

    private static let stillResult = Result { () throws -> TestClip in
        try make("still.flv", input: ["-loop", "1", "-framerate", "30", "-i", stillPNG.get(), "-t", "8"],
                 output: liveH264 + ["-pix_fmt", "yuv420p"])
    }.mapError(TestClips.Wrapped.init)

    private static let noisyStillResult = Result { () throws -> TestClip in
        try make("noisy-still.flv", input: ["-loop", "1", "-framerate", "30", "-i", stillPNG.get(), "-t", "8"],
                 output: ["-vf", "noise=alls=8:allf=t"] + liveH264 + ["-pix_fmt", "yuv420p"])
    }.mapError(TestClips.Wrapped.init)

    /// testsrc2's first frame at 1280x720.
    private static let stillPNG = Result { () throws -> String in
        let png = try FFmpegTool.scratchDirectory().appendingPathComponent("still-testsrc2.png").path
        try FFmpegTool.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-frames:v", "1", png])
        return png
    }.mapError(TestClips.Wrapped.init)

    private static let movingResult = Result { () throws -> TestClip in
        try make("moving.flv", input: ["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=6"],
                 output: liveH264 + ["-pix_fmt", "yuv420p"])
    }.mapError(TestClips.Wrapped.init)

    private static let movingStillMovingResult = Result { () throws -> TestClip in
        try make("moving-still-moving.flv",
                 input: ["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=6,loop=loop=239:size=1:start=91,setpts=N/30/TB"],
                 output: liveH264 + ["-pix_fmt", "yuv420p"])
    }.mapError(TestClips.Wrapped.init)

    private static let swayingBoxResult = Result { () throws -> TestClip in
        try make("swaying-box.flv",
                 input: ["-f", "lavfi", "-i", "color=c=0x606060:size=1280x720:rate=30:duration=8[bg];color=c=0xd0a080:size=80x80:rate=30:duration=8[box];"
                         + "[bg][box]overlay=x='600+30*sin(2*PI*t)':y=300:eval=frame"],
                 output: liveH264 + ["-pix_fmt", "yuv420p"])
    }.mapError(TestClips.Wrapped.init)

    private static let talkingMouthResult = Result { () throws -> TestClip in
        try make("talking-mouth.flv",
                 input: ["-f", "lavfi", "-i", "color=c=0x606060:size=1280x720:rate=30:duration=8,"
                         + "drawbox=x=620:y=400:w=40:h=16:color=0x301010:t=fill:enable='lt(mod(t,0.4),0.2)'"],
                 output: liveH264 + ["-pix_fmt", "yuv420p"])
    }.mapError(TestClips.Wrapped.init)

    /// Audio clips: a tiny video track (TestDemuxer wants one) and the audio under test.
    static func audio(_ name: String, source: String, codec: [String], container: String = "flv", seconds: Int = 8) throws -> TestClip {
        try make("\(name).\(container)",
                 input: ["-f", "lavfi", "-i", "color=c=black:size=64x64:rate=5:duration=\(seconds)",
                         "-f", "lavfi", "-i", "\(source),atrim=duration=\(seconds)"],
                 output: ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"] + codec)
    }

    private static func make(_ name: String, input: [String], output: [String]) throws -> TestClip {
        let path = try FFmpegTool.scratchDirectory().appendingPathComponent(name).path
        if !FileManager.default.fileExists(atPath: path) {
            try FFmpegTool.ffmpeg(input + output + [path])
        }
        return TestClip(path: path, file: try TestDemuxer.read(path), referenceMD5s: [])
    }
}

extension VideoFrame {
    /// The frame's pts as a monotonic time for the watches (a file plays as if it arrived in real time).
    var nanoseconds: UInt64 { UInt64(max(0, ptsMilliseconds)) * 1_000_000 }
}
