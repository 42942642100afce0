import ImagoMedia
import XCTest

final class MP4WriterTests: XCTestCase {
    override func setUpWithError() throws {
        try FFmpegTool.requireTools()
        FFmpegLog.setLevel(.quiet)
    }

    private func outputPath(_ name: String) throws -> String {
        let url = try FFmpegTool.scratchDirectory().appendingPathComponent(name)
        try? FileManager.default.removeItem(at: url)
        return url.path
    }

    /// Files in the output's directory whose name starts with the output's name (the final file and any partial ones).
    private func siblings(of path: String) throws -> [String] {
        let url = URL(fileURLWithPath: path)
        return try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
            .filter { $0.hasPrefix(url.lastPathComponent) }
            .sorted()
    }

    private func makeWriter(_ path: String, _ file: DemuxedFile, withAudio: Bool = true) throws -> MP4Writer {
        let video = MP4Writer.VideoTrack(codec: .h264, extradata: file.video.extradata,
                                         width: file.video.width, height: file.video.height)
        let audio = file.audio.map {
            MP4Writer.AudioTrack(codec: .aac, extradata: $0.extradata, sampleRate: $0.sampleRate, channels: $0.channels)
        }
        return try MP4Writer(path: path, video: video, audio: withAudio ? audio : nil)
    }

    /// Writes video and audio interleaved by timestamp, as they arrive from an RTMP publisher.
    private func writeAll(_ file: DemuxedFile, to writer: MP4Writer, withAudio: Bool = true) throws {
        var video = file.video.packets[...]
        var audio = withAudio ? (file.audio?.packets ?? [])[...] : []
        while let next = [video.first, audio.first].compactMap({ $0 }).min(by: { $0.dtsMilliseconds < $1.dtsMilliseconds }) {
            if let first = video.first, first.dtsMilliseconds == next.dtsMilliseconds, first.data == next.data {
                try writer.writeVideo(first.data, ptsMilliseconds: first.ptsMilliseconds,
                                      dtsMilliseconds: first.dtsMilliseconds, isKeyframe: first.isKeyframe)
                video.removeFirst()
            } else {
                try writer.writeAudio(next.data, ptsMilliseconds: next.ptsMilliseconds)
                audio.removeFirst()
            }
        }
    }

    func testRemuxesH264AndAACFromFLVIntoAValidMP4() throws {
        let clip = try TestClips.h264()
        let audio = try XCTUnwrap(clip.file.audio)
        XCTAssertGreaterThanOrEqual(audio.extradata.count, 2, "FLV's AAC sequence header is an AudioSpecificConfig")
        let path = try outputPath("remux.mp4")
        let writer = try makeWriter(path, clip.file)
        try writeAll(clip.file, to: writer)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "nothing at the final path before finish()")
        XCTAssertEqual(try siblings(of: path).count, 1)
        XCTAssertTrue(try siblings(of: path)[0].hasPrefix("remux.mp4.partial-"))
        try writer.finish()
        XCTAssertEqual(try siblings(of: path), ["remux.mp4"], "renamed into place, no partial file left")

        let probe = try FFmpegTool.probe(path, entries: "format=format_name,duration:stream=codec_name,codec_type,width,height,sample_rate,channels,nb_frames")
        XCTAssertEqual(probe["streams.stream.0.codec_name"], "h264")
        XCTAssertEqual(probe["streams.stream.0.width"], "320")
        XCTAssertEqual(probe["streams.stream.0.height"], "240")
        XCTAssertEqual(probe["streams.stream.0.nb_frames"], "60")
        XCTAssertEqual(probe["streams.stream.1.codec_name"], "aac")
        XCTAssertEqual(probe["streams.stream.1.sample_rate"], "44100")
        XCTAssertEqual(probe["streams.stream.1.channels"], "2")
        XCTAssertEqual(probe["format.format_name"], "mov,mp4,m4a,3gp,3g2,mj2")
        let duration = try XCTUnwrap(Double(probe["format.duration"] ?? ""))
        XCTAssertEqual(duration, 2.0, accuracy: 0.1)

        // A full decode reports nothing, and the pictures are the very ones in the FLV (remux, not re-encode).
        let check = try FFmpegTool.run(FFmpegTool.ffmpegPath, ["-nostdin", "-v", "error", "-i", path, "-f", "null", "-"])
        XCTAssertEqual(check.status, 0)
        XCTAssertEqual(check.stderr, "")
        XCTAssertEqual(try FFmpegTool.frameMD5s(path), clip.referenceMD5s)
    }

    func testMovesTheIndexToTheFront() throws {
        let clip = try TestClips.h264()
        let path = try outputPath("faststart.mp4")
        let writer = try makeWriter(path, clip.file, withAudio: false)
        try writeAll(clip.file, to: writer, withAudio: false)
        try writer.finish()
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let text = String(decoding: bytes.prefix(4096), as: UTF8.self)
        XCTAssertTrue(text.contains("moov"), "+faststart puts moov before mdat")
        XCTAssertEqual(try FFmpegTool.probe(path, entries: "stream=codec_name")["streams.stream.0.codec_name"], "h264")
    }

    func testDroppingAWriterWithoutFinishLeavesNoFile() throws {
        let clip = try TestClips.h264()
        let path = try outputPath("abandoned.mp4")
        do {
            let writer = try makeWriter(path, clip.file)
            try writeAll(clip.file, to: writer)
            XCTAssertEqual(try siblings(of: path).count, 1, "the partial file exists while writing")
        }
        XCTAssertEqual(try siblings(of: path), [], "no final file and no partial file")
    }

    func testTimestampsStartAtTheFirstPacket() throws {
        // A recording that starts an hour into a live stream.
        let clip = try TestClips.h264()
        let offset: Int64 = 3_600_000
        let path = try outputPath("late-start.mp4")
        let writer = try makeWriter(path, clip.file, withAudio: false)
        for packet in clip.file.video.packets {
            try writer.writeVideo(packet.data, ptsMilliseconds: packet.ptsMilliseconds + offset,
                                  dtsMilliseconds: packet.dtsMilliseconds + offset, isKeyframe: packet.isKeyframe)
        }
        try writer.finish()
        let probe = try FFmpegTool.probe(path, entries: "format=duration,start_time")
        XCTAssertEqual(try XCTUnwrap(Double(probe["format.duration"] ?? "")), 2.0, accuracy: 0.1)
        XCTAssertEqual(try XCTUnwrap(Double(probe["format.start_time"] ?? "")), 0.0, accuracy: 0.1)
    }

    func testRemuxesHEVCFromHvcC() throws {
        let clip = try TestClips.hevc()
        let path = try outputPath("hevc.mp4")
        let video = clip.file.video
        let writer = try MP4Writer(path: path, video: .init(codec: .hevc, extradata: video.extradata, width: video.width, height: video.height), audio: nil)
        for packet in video.packets {
            try writer.writeVideo(packet.data, ptsMilliseconds: packet.ptsMilliseconds,
                                  dtsMilliseconds: packet.dtsMilliseconds, isKeyframe: packet.isKeyframe)
        }
        try writer.finish()
        XCTAssertEqual(try FFmpegTool.probe(path, entries: "stream=codec_name")["streams.stream.0.codec_name"], "hevc")
        XCTAssertEqual(try FFmpegTool.frameMD5s(path), clip.referenceMD5s)
    }

    func testBackwardsTimestampsAreRejectedAndTheFileStaysValid() throws {
        let clip = try TestClips.h264()
        let path = try outputPath("backwards.mp4")
        let writer = try makeWriter(path, clip.file, withAudio: false)
        let packets = clip.file.video.packets
        for (index, packet) in packets.enumerated() {
            try writer.writeVideo(packet.data, ptsMilliseconds: packet.ptsMilliseconds,
                                  dtsMilliseconds: packet.dtsMilliseconds, isKeyframe: packet.isKeyframe)
            if index == 9 {
                // A stale packet arrives again: rejected at once, nothing written.
                XCTAssertThrowsError(try writer.writeVideo(packets[1].data, ptsMilliseconds: packets[1].ptsMilliseconds,
                                                           dtsMilliseconds: packets[1].dtsMilliseconds, isKeyframe: false)) { error in
                    XCTAssertEqual((error as! MediaError).message,
                                   "Invalid argument: video dts \(packets[1].dtsMilliseconds) ms does not increase (previous \(packet.dtsMilliseconds) ms); packet dropped")
                }
            }
        }
        XCTAssertThrowsError(try writer.writeAudio([1, 2, 3], ptsMilliseconds: 400)) { error in
            XCTAssertEqual((error as! MediaError).message, "Invalid argument: the writer was created without an audio track")
        }
        try writer.finish()
        XCTAssertEqual(try FFmpegTool.frameMD5s(path), clip.referenceMD5s)
    }

    func testPartialFilesOfProcessesThatAreGoneAreRemovedAndThoseOfLiveOnesKept() throws {
        let directory = try FFmpegTool.scratchDirectory().appendingPathComponent("partials-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // A pid that is not running: a child that has exited and been reaped.
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        let crashed = "clip.mp4.partial-\(child.processIdentifier)-1f2e3d"
        let running = "clip2.mp4.partial-\(getpid())-4c5b6a"
        for name in [crashed, running, "notes.txt"] {
            FileManager.default.createFile(atPath: directory.appendingPathComponent(name).path, contents: Data([1, 2, 3]))
        }
        let removed = MP4Writer.removeAbandonedPartials(in: directory.path)
        XCTAssertEqual(removed, [directory.appendingPathComponent(crashed).path])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted(), ["clip2.mp4.partial-\(getpid())-4c5b6a", "notes.txt"])
    }

    func testMissingDirectoryFailsWithTheOSErrorText() throws {
        let clip = try TestClips.h264()
        XCTAssertThrowsError(try makeWriter("/nonexistent-imago-dir/out.mp4", clip.file)) { error in
            let error = error as! MediaError
            XCTAssertEqual(error.message, "No such file or directory")
            XCTAssertTrue(error.operation.hasPrefix("avio_open(/nonexistent-imago-dir/out.mp4.partial-"), error.operation)
        }
    }

    func testAFinishedWriterRejectsMoreWork() throws {
        let clip = try TestClips.h264()
        let path = try outputPath("twice.mp4")
        let writer = try makeWriter(path, clip.file, withAudio: false)
        try writeAll(clip.file, to: writer, withAudio: false)
        try writer.finish()
        XCTAssertThrowsError(try writer.finish()) { error in
            XCTAssertEqual((error as! MediaError).message, "Invalid argument: the file is already finished")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: path))
    }

    func testMissingConfigurationRecordsAreRejectedBeforeAnyFileExists() throws {
        let path = try outputPath("unconfigured.mp4")
        XCTAssertThrowsError(try MP4Writer(path: path, video: .init(codec: .h264, extradata: [], width: 320, height: 240), audio: nil)) { error in
            XCTAssertTrue((error as! MediaError).message.contains("avcC"), "\(error)")
        }
        let clip = try TestClips.h264()
        let video = MP4Writer.VideoTrack(codec: .h264, extradata: clip.file.video.extradata, width: 320, height: 240)
        XCTAssertThrowsError(try MP4Writer(path: path, video: video, audio: .init(codec: .aac, extradata: [], sampleRate: 44100, channels: 2))) { error in
            XCTAssertTrue((error as! MediaError).message.contains("AudioSpecificConfig"), "\(error)")
        }
        XCTAssertThrowsError(try MP4Writer(path: path, video: .init(codec: .aac, extradata: [0x12, 0x10], width: 320, height: 240), audio: nil))
        XCTAssertEqual(try siblings(of: path), [])
    }
}
