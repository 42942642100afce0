import CFFmpeg
import Foundation

/// One packet as FLV/MP4 carries it, timestamps in milliseconds.
struct DemuxedPacket: Sendable {
    var data: [UInt8]
    let ptsMilliseconds: Int64
    let dtsMilliseconds: Int64
    let isKeyframe: Bool
}

/// A stream's configuration record and packets, as the relay would receive them.
struct DemuxedTrack: Sendable {
    let extradata: [UInt8]
    let width: Int
    let height: Int
    let sampleRate: Int
    let channels: Int
    var packets: [DemuxedPacket]
}

struct DemuxedFile: Sendable {
    let video: DemuxedTrack
    let audio: DemuxedTrack?
}

/// Test-only: reads a whole file with libavformat (the relay gets the same bytes from RTMP/FLV tags).
enum TestDemuxer {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static func read(_ path: String) throws -> DemuxedFile {
        var context: UnsafeMutablePointer<AVFormatContext>?
        guard avformat_open_input(&context, path, nil, nil) >= 0, let context else {
            throw Failure(description: "avformat_open_input(\(path)) failed")
        }
        defer {
            var closing: UnsafeMutablePointer<AVFormatContext>? = context
            avformat_close_input(&closing)
        }
        guard avformat_find_stream_info(context, nil) >= 0 else { throw Failure(description: "no stream info in \(path)") }
        let videoIndex = av_find_best_stream(context, AVMEDIA_TYPE_VIDEO, -1, -1, nil, 0)
        guard videoIndex >= 0 else { throw Failure(description: "no video stream in \(path)") }
        let audioIndex = av_find_best_stream(context, AVMEDIA_TYPE_AUDIO, -1, -1, nil, 0)

        func track(_ index: Int32) -> DemuxedTrack {
            let parameters = context.pointee.streams[Int(index)]!.pointee.codecpar!.pointee
            let extradata = parameters.extradata.map { Array(UnsafeBufferPointer(start: $0, count: Int(parameters.extradata_size))) } ?? []
            return DemuxedTrack(extradata: extradata, width: Int(parameters.width), height: Int(parameters.height),
                                sampleRate: Int(parameters.sample_rate), channels: Int(parameters.ch_layout.nb_channels), packets: [])
        }
        var video = track(videoIndex)
        var audio = audioIndex >= 0 ? track(audioIndex) : nil

        guard let packet = av_packet_alloc() else { throw Failure(description: "av_packet_alloc") }
        defer {
            var freeing: UnsafeMutablePointer<AVPacket>? = packet
            av_packet_free(&freeing)
        }
        let milliseconds = AVRational(num: 1, den: 1000)
        while av_read_frame(context, packet) >= 0 {
            defer { av_packet_unref(packet) }
            let index = packet.pointee.stream_index
            guard index == videoIndex || index == audioIndex else { continue }
            let timeBase = context.pointee.streams[Int(index)]!.pointee.time_base
            let dts = packet.pointee.dts == cff_nopts_value() ? packet.pointee.pts : packet.pointee.dts
            let pts = packet.pointee.pts == cff_nopts_value() ? dts : packet.pointee.pts
            let demuxed = DemuxedPacket(
                data: Array(UnsafeBufferPointer(start: packet.pointee.data, count: Int(packet.pointee.size))),
                ptsMilliseconds: av_rescale_q(pts, timeBase, milliseconds),
                dtsMilliseconds: av_rescale_q(dts, timeBase, milliseconds),
                isKeyframe: (packet.pointee.flags & AV_PKT_FLAG_KEY) != 0
            )
            if index == videoIndex { video.packets.append(demuxed) } else { audio?.packets.append(demuxed) }
        }
        return DemuxedFile(video: video, audio: audio)
    }
}
