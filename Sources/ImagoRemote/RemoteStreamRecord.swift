import Foundation
import ImagoCore
import ImagoFaces

/// A stream as a relay's `GET /v1/streams` describes it (the relay's `APIStream`).
public struct RemoteStreamRecord: Decodable, Sendable, Equatable {
    public struct Timeline: Decodable, Sendable, Equatable {
        public let start: Double?
        public let end: Double?
        public let duration: Double
    }

    public struct Latest: Decodable, Sendable, Equatable {
        public let seq: Int
        public let pts: Double
        public let width: Int
        public let height: Int
    }

    public let id: String
    public let app: String
    let state: StreamHealth.State
    let peer: String?
    let encoder: String?
    let connectedAt: Date?
    let connectedSeconds: Double?
    let lastDisconnectedAt: Date?
    let lastReconnectedAt: Date?
    let lastDisconnectReason: String?
    let reconnects: Int
    let lastError: String?
    let retryInSeconds: Double?
    let uptimeRatio: Double?
    let conditions: [String]
    let lastPacketAgeSeconds: Double?
    public let timeline: Timeline
    public let latest: Latest?
    let video: StreamHealth.Video?
    let audio: StreamHealth.Audio?
    let buffer: StreamHealth.Buffer
    let metadata: StreamHealth.Metadata?
    let dataMessages: Int
    let decode: StreamHealth.Decode
    let faces: StreamHealth.Faces?
    let players: StreamHealth.Players

    /// The figures as the monitor shows them, under `name` and `title`.
    func health(name: StreamName, title: String) -> StreamHealth {
        var health = StreamHealth(name: name, title: title, state: state, buffer: buffer, decode: decode)
        health.peer = peer
        health.flashVersion = encoder
        health.connectedAt = connectedAt
        health.connectedSeconds = connectedSeconds
        health.lastDisconnectedAt = lastDisconnectedAt
        health.lastReconnectedAt = lastReconnectedAt
        health.lastDisconnectReason = lastDisconnectReason
        health.reconnects = reconnects
        health.lastError = lastError
        health.retryInSeconds = retryInSeconds
        health.uptimeRatio = uptimeRatio
        health.lastPacketAgeSeconds = lastPacketAgeSeconds
        health.video = video
        health.audio = audio
        health.metadata = metadata
        health.dataMessages = dataMessages
        health.faces = faces
        health.conditions = conditions
        health.players = players
        return health
    }

    /// The source picture's size, if the relay knows it.
    var sourceSize: (width: Int, height: Int)? {
        if let latest { return (latest.width, latest.height) }
        if let width = video?.width, let height = video?.height, width > 0, height > 0 { return (width, height) }
        return nil
    }

    /// Reads the API's JSON: ISO 8601 dates, non-finite numbers as strings.
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return decoder
    }()
}

extension RelayClient {
    /// `GET /v1/streams`.
    public func streams() async throws(RelayClientError) -> [RemoteStreamRecord] {
        struct List: Decodable { let streams: [RemoteStreamRecord] }
        let answer = try await get("/v1/streams", timeoutSeconds: 5)
        do {
            return try RemoteStreamRecord.decoder.decode(List.self, from: Data(answer.body.readableBytesView)).streams
        } catch {
            throw .badResponse(relay: base, reason: "the stream list does not decode: \(error)")
        }
    }

    /// A picture from the relay with what its headers say.
    public struct Picture: Sendable {
        public let bytes: [UInt8]
        public let width: Int
        public let height: Int
        public let ptsMilliseconds: Int64
        /// The relay's frame number (latest only).
        public let sequence: Int?
        /// Face boxes in the source picture's pixels (`X-Imago-Faces`); nil when the relay sent none.
        public let faces: [FaceBox]?
    }

    /// `latest.raw?after=`: the newest frame newer than `after`, `width` pixels wide at most (the relay
    /// keeps the aspect), waiting up to `waitSeconds`; nil when none came (with the relay's newest seq).
    public func latestRaw(stream id: String, after: Int?, width: Int?, waitSeconds: Double) async throws(RelayClientError) -> (picture: Picture?, sequence: Int?) {
        var query = ["timeout=\(String(format: "%.1f", waitSeconds))"]
        if let after { query.append("after=\(after)") }
        if let width { query.append("width=\(width)") }
        let answer = try await get("/v1/streams/\(Self.escaped(id))/latest.raw?\(query.joined(separator: "&"))", timeoutSeconds: waitSeconds + 10)
        if answer.status == 204 { return (nil, answer.header("X-Imago-Seq").flatMap { Int($0) }) }
        let picture = try picture(answer, raw: true)
        return (picture, picture.sequence)
    }

    /// `frame.{raw,png}?t=`: the frame at or before `seconds` on the stream timeline, decoded from the
    /// relay's history (`width` nil: at the source's size).
    public func historyFrame(stream id: String, seconds: Double, format: String, width: Int? = nil) async throws(RelayClientError) -> Picture {
        var path = "/v1/streams/\(Self.escaped(id))/frame.\(format)?t=\(String(format: "%.3f", seconds))"
        if let width { path += "&width=\(width)" }
        return try picture(try await get(path, timeoutSeconds: 20), raw: format == "raw")
    }

    /// The picture an image answer carries, its headers checked (a raw body must be width*height*3 bytes).
    private func picture(_ answer: Answer, raw: Bool) throws(RelayClientError) -> Picture {
        guard let width = answer.header("X-Imago-Width").flatMap({ Int($0) }), let height = answer.header("X-Imago-Height").flatMap({ Int($0) }),
              (1...16384).contains(width), (1...16384).contains(height) else {
            throw .badResponse(relay: base, reason: "the picture has no valid X-Imago-Width/-Height")
        }
        guard let ptsText = answer.header("X-Imago-Pts"), let seconds = Double(ptsText), seconds.isFinite, abs(seconds) < 1e12 else {
            throw .badResponse(relay: base, reason: "the picture has no valid X-Imago-Pts")
        }
        let bytes = Array(answer.body.readableBytesView)
        if raw, bytes.count != width * height * 3 {
            throw .badResponse(relay: base, reason: "a \(width)x\(height) raw picture has \(bytes.count) bytes, not \(width * height * 3)")
        }
        return Picture(bytes: bytes, width: width, height: height, ptsMilliseconds: Int64((seconds * 1000).rounded()),
                       sequence: answer.header("X-Imago-Seq").flatMap { Int($0) },
                       faces: answer.header("X-Imago-Faces").flatMap(FaceBox.boxes(header:)))
    }

    /// A stream id as one path segment.
    public static func escaped(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? id
    }
}
