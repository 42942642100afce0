import Foundation
import HTTPTypes
import Hummingbird
import ImagoCore
import ImagoFaces
import ImagoMedia
import NIOCore
import Synchronization

extension APIServer {
    /// `latest.{jpg,png,raw}`: the newest decoded frame. With `?after=SEQ`, only a frame newer than SEQ,
    /// waiting for one up to `?timeout=` seconds (default 10, at most 30) and answering 204 when none
    /// came: each client passes the seq it last got, so clients never take frames from one another.
    func latest(_ request: Request, stream: MediaStream, format: ImageFormat) async throws -> Response {
        let query = APIQuery(request)
        let after = try query.integer("after", in: -1...Int.max)
        let timeout = try query.number("timeout", in: 0...configuration.maxWaitSeconds) ?? (after == nil ? 0 : 10)
        let source = try query.flag("keyframe") ? stream.decoder.latestKeyframe : stream.decoder.latest
        let shape = try query.imageRequest(format: format)
        let deadline = MonotonicClock.nowNanoseconds() + UInt64(timeout * 1e9)
        var found = source.newer(than: after)
        while found == nil, MonotonicClock.nowNanoseconds() < deadline {
            try await Task.sleep(for: Self.pollInterval)
            found = source.newer(than: after)
        }
        guard let frame = found else {
            guard after != nil else { throw APIError.noFrameYet(stream: stream.publicID) }
            var headers = HTTPFields()
            headers[.imagoSeq] = "\(source.current?.number ?? after ?? 0)"
            headers[.cacheControl] = "no-store"
            return Response(status: .noContent, headers: headers)
        }
        let id = stream.publicID
        let image = try await BlockingWork.run { [frameCache] in try frameCache.image(of: frame, stream: id, request: shape) }
        var headers = Self.imageHeaders(image, stream: id)
        headers[.imagoSeq] = "\(frame.number)"
        headers[.imagoPts] = Self.seconds(frame.ptsMilliseconds)
        headers[.imagoKeyframe] = frame.picture.isKeyframe ? "1" : "0"
        headers[.imagoAgeMilliseconds] = String(format: "%.1f", frame.ageSeconds() * 1000)
        if let faces, faces.isDetecting {
            // The newest detection, from at most a second before or after the frame (what the monitor draws).
            let latest = faces.faces(of: stream.name).latest.flatMap { abs($0.ptsMilliseconds - frame.ptsMilliseconds) <= 1000 ? $0 : nil }
            headers[.imagoFaces] = Self.facesHeader(latest?.boxes ?? [])
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: image.bytes)))
    }

    /// How often a long-poll looks for a newer frame: well under a frame interval, so waiting adds little age.
    static let pollInterval = Duration.milliseconds(4)

    /// `frame.{jpg,png,raw}?t=`: the frame at or before `t` on the stream timeline, decoded from the history
    /// (`&keyframe=1`: the nearest keyframe at or before `t`, which decodes on its own).
    func frame(_ request: Request, stream: MediaStream, format: ImageFormat) async throws -> Response {
        let query = APIQuery(request)
        let history = stream.history()
        let requested = try query.time("t", newestMilliseconds: history.last?.ptsMilliseconds) ?? history.last?.ptsMilliseconds
        guard let requested else { throw APIError.noFrameYet(stream: stream.publicID) }
        let keyframeOnly = try query.flag("keyframe")
        let shape = try query.imageRequest(format: format)
        let id = stream.publicID
        let job = try historyJobs.claim()
        defer { job.release() }
        let (picture, image) = try await BlockingWork.run { () throws -> (VideoFrame, EncodedImage) in
            let reader = HistoryReader(stream: stream)
            var at = requested
            if keyframeOnly {
                guard let keyframe = history.nearestKeyframe(atOrBefore: requested) else {
                    throw APIError.outOfHistory("no keyframe at or before \(Self.seconds(requested)) s in the history of \(id) (it starts at \(Self.seconds(history.first?.ptsMilliseconds ?? 0)) s)")
                }
                at = keyframe.ptsMilliseconds
            }
            do {
                let picture = try reader.frame(at: at)
                return (picture, try shape.encode(picture))
            } catch let error as HistoryError {
                throw APIError.history(error, stream: id)
            }
        }
        var headers = Self.imageHeaders(image, stream: id)
        headers[.imagoPts] = Self.seconds(picture.ptsMilliseconds)
        headers[.imagoKeyframe] = picture.isKeyframe ? "1" : "0"
        if let detection = faces?.faces(of: stream.name).detection(atPts: picture.ptsMilliseconds) {
            headers[.imagoFaces] = Self.facesHeader(detection.boxes)  // only when a worker looked at that frame
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: image.bytes)))
    }

    /// `frames?from=&to=&every=`: every decoded frame of a past range (or one per `every` seconds) as a
    /// multipart/mixed stream, each part an image with its pts and seq, written as it is decoded.
    func frames(_ request: Request, stream: MediaStream) async throws -> Response {
        let query = APIQuery(request)
        let newest = stream.history().last?.ptsMilliseconds
        guard let to = try query.time("to", newestMilliseconds: newest) ?? newest else { throw APIError.noFrameYet(stream: stream.publicID) }
        let from = try query.time("from", newestMilliseconds: newest) ?? (to - 2000)
        guard from <= to else { throw APIError.badParameter(name: "from", reason: "must not be after 'to'") }
        let every = Int64(((try query.number("every", in: 0...3600) ?? 0) * 1000).rounded())
        let formatName = query.string("format") ?? "jpg"
        guard let format = ImageFormat(rawValue: formatName) else {
            throw APIError.badParameter(name: "format", reason: "'\(formatName.prefix(20))' is not jpg, png or raw")
        }
        let shape = try query.imageRequest(format: format)
        let id = stream.publicID
        // Fail before the 200 when the range is not in the history; decode errors later end the stream.
        let history = stream.history()
        let start = history.first?.ptsMilliseconds ?? 0
        guard !history.isEmpty, history.nearestKeyframe(atOrBefore: max(from, start)) != nil, to >= start, from <= newest ?? .min else {
            throw APIError.outOfHistory("\(Self.seconds(from))–\(Self.seconds(to)) s is not in the history of \(id), which spans \(Self.seconds(start))–\(Self.seconds(newest ?? 0)) s")
        }
        let boundary = "imago-frame-\(SecretFile.randomToken(count: 12))"
        let parts = PartChannel()
        let logger = self.logger
        let job = try historyJobs.claim()
        BlockingWork.start {
            defer { job.release() }
            var nextPts = Int64.min
            do {
                try HistoryReader(stream: stream).forEachFrame(from: from, to: to) { picture, sequence in
                    guard picture.ptsMilliseconds >= nextPts else { return true }
                    nextPts = every > 0 ? picture.ptsMilliseconds + every : .min
                    guard let image = try? shape.encode(picture) else { return true }
                    var part = "--\(boundary)\r\nContent-Type: \(format.contentType)\r\nContent-Length: \(image.bytes.count)\r\n"
                    part += "X-Imago-Pts: \(Self.seconds(picture.ptsMilliseconds))\r\nX-Imago-Seq: \(sequence)\r\n"
                    part += "X-Imago-Keyframe: \(picture.isKeyframe ? 1 : 0)\r\nX-Imago-Width: \(image.width)\r\nX-Imago-Height: \(image.height)\r\n"
                    part += "X-Imago-Frame-MD5: \(picture.md5())\r\n\r\n"
                    var buffer = ByteBuffer(string: part)
                    buffer.writeBytes(image.bytes)
                    buffer.writeString("\r\n")
                    return parts.send(buffer)
                }
            } catch {
                logger.warning("frames request ended early", metadata: ["stream": "\(id)", "error": "\(error)"])
            }
            _ = parts.send(ByteBuffer(string: "--\(boundary)--\r\n"))
            parts.finish()
        }
        var headers = HTTPFields()
        headers[.contentType] = "multipart/mixed; boundary=\(boundary)"
        headers[.cacheControl] = "no-store"
        headers[.imagoStream] = id
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            for await buffer in parts.stream {
                try await writer.write(buffer)
                parts.consumed()
            }
            try await writer.finish(nil)
        })
    }

    /// `clip.mp4?from=&to=`: an MP4 (remuxed, not re-encoded) of that span, from the keyframe at or before
    /// `from`, streamed while it is written (a fragmented MP4, one fragment per keyframe): when `to` is
    /// still to come, the bytes so far arrive at once and the rest as the stream gets there (at most 60 s).
    func clip(_ request: Request, stream: MediaStream) async throws -> Response {
        let query = APIQuery(request)
        let newest = stream.history().last?.ptsMilliseconds
        guard let to = try query.time("to", newestMilliseconds: newest) ?? newest else { throw APIError.noFrameYet(stream: stream.publicID) }
        let from = try query.time("from", newestMilliseconds: newest) ?? (to - 10_000)
        guard from <= to else { throw APIError.badParameter(name: "from", reason: "must not be after 'to'") }
        let id = stream.publicID
        let wait = configuration.maxClipWaitSeconds
        // A clip may wait for its end, not for its start: one that begins after what the wait can reach is refused.
        if let newest, from > newest + Int64(wait * 1000) {
            throw APIError.outOfHistory("a clip from \(Self.seconds(from)) s would start \(Self.seconds(from - newest)) s after the newest packet of \(id) (\(Self.seconds(newest)) s); a clip waits at most \(Int(wait)) s for the rest of its span")
        }
        let reader = HistoryReader(stream: stream)
        let start: MediaPacket
        do {
            start = try reader.clipStart(from: from, to: to).keyframe
        } catch {
            throw APIError.history(error, stream: id)
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("imago-clip-\(SecretFile.randomToken(count: 16)).mp4").path
        let tail = GrowingFile()
        let logger = self.logger
        let job = try historyJobs.claim()
        BlockingWork.start {
            defer { job.release() }
            do {
                _ = try reader.exportClip(from: from, to: to, path: path, fragmented: true, waitSeconds: wait, onOpened: { tail.open($0) })
            } catch {
                logger.warning("clip export ended early", metadata: ["stream": "\(id)", "error": "\(error)"])
            }
            unlink(path)  // the reader's open handle keeps the bytes readable; nothing stays behind on disk
            tail.finish()
        }
        var headers = HTTPFields()
        headers[.contentType] = "video/mp4"
        headers[.cacheControl] = "no-store"
        headers[.contentDisposition] = "attachment; filename=\"\(id)-\(Self.seconds(start.ptsMilliseconds)).mp4\""
        headers[.imagoClipStart] = Self.seconds(start.ptsMilliseconds)
        headers[.imagoStream] = id
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            while let chunk = try await tail.next() {
                try await writer.write(ByteBuffer(bytes: chunk))
            }
            try await writer.finish(nil)
        })
    }

    static func imageHeaders(_ image: EncodedImage, stream: String) -> HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = image.format.contentType
        headers[.cacheControl] = "no-store"
        headers[.imagoWidth] = "\(image.width)"
        headers[.imagoHeight] = "\(image.height)"
        headers[.imagoStream] = stream
        return headers
    }

    /// Face boxes in the source picture's pixels (whatever size was asked for), `left,top,width,height,score`
    /// each, separated by `;`; empty when the detection found none.
    static func facesHeader(_ boxes: [FaceBox]) -> String {
        boxes.map { "\($0.left),\($0.top),\($0.width),\($0.height),\(String(format: "%.2f", $0.score))" }.joined(separator: ";")
    }

    /// Milliseconds on the stream timeline as seconds, `12.345`.
    static func seconds(_ milliseconds: Int64) -> String {
        String(format: "%.3f", Double(milliseconds) / 1000)
    }
}

/// Parts of a streamed response, from a producer thread to the writer, with back-pressure: the producer
/// waits while `window` parts are unwritten, so a slow client never makes the relay buffer a whole range.
final class PartChannel: Sendable {
    let stream: AsyncStream<ByteBuffer>
    private let continuation: AsyncStream<ByteBuffer>.Continuation
    private let window = DispatchSemaphore(value: 4)
    private let closed = Atomic<Bool>(false)

    init() {
        (stream, continuation) = AsyncStream<ByteBuffer>.makeStream()
        continuation.onTermination = { [self] _ in
            closed.store(true, ordering: .relaxed)
            window.signal()
        }
    }

    /// Waits for room, then queues `buffer`; false once the client is gone (stop producing).
    func send(_ buffer: ByteBuffer) -> Bool {
        window.wait()
        guard !closed.load(ordering: .relaxed) else {
            window.signal()
            return false
        }
        continuation.yield(buffer)
        return true
    }

    func consumed() {
        window.signal()
    }

    func finish() {
        continuation.finish()
    }
}

/// A file one thread writes while a response reads it: the reader gets what is there, waits for more,
/// and ends once the writer finished and everything was read.
final class GrowingFile: Sendable {
    private let state = Mutex<(handle: FileHandle?, finished: Bool)>((nil, false))

    /// The writer opened `path` (before writing into it, so the reader sees every byte).
    func open(_ path: String) {
        let handle = FileHandle(forReadingAtPath: path)
        state.withLock { $0.handle = handle }
    }

    func finish() {
        state.withLock { $0.finished = true }
    }

    /// The next bytes, nil at the end.
    func next() async throws -> Data? {
        while true {
            let (handle, finished) = state.withLock { ($0.handle, $0.finished) }
            if let handle {
                let chunk = try await BlockingWork.run { handle.readData(ofLength: 256 << 10) }
                if !chunk.isEmpty { return chunk }
                if finished {
                    // Written to the end before `finished` was read: one last read finds anything left.
                    let rest = try await BlockingWork.run { handle.readDataToEndOfFile() }
                    if rest.isEmpty {
                        try? handle.close()
                        return nil
                    }
                    return rest
                }
            } else if finished {
                return nil
            }
            try await Task.sleep(for: .milliseconds(40))
        }
    }
}

/// Bounds the history work (decoding for `frame`/`frames`, remuxing for `clip.mp4`) running at once:
/// each can keep a core busy for seconds, so a client with a read token cannot take every core from
/// live decoding by asking for many ranges at once. One more gets 503 `busy`.
final class HistoryJobs: Sendable {
    let limit: Int
    private let running = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    struct Job: Sendable {
        fileprivate let jobs: HistoryJobs
        func release() { jobs.running.subtract(1, ordering: .relaxed) }
    }

    func claim() throws(APIError) -> Job {
        let now = running.add(1, ordering: .relaxed).newValue
        guard now <= limit else {
            running.subtract(1, ordering: .relaxed)
            throw .busy(limit: limit)
        }
        return Job(jobs: self)
    }
}
