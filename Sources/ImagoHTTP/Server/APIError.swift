import Foundation
import HTTPTypes
import Hummingbird
import ImagoCore
import ImagoCodecs

/// Every way an API request can fail, each with its HTTP status, a stable code for scripts and a message
/// a person can act on. Sent as `{"error": {"code": …, "message": …}}`.
public enum APIError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingToken
    case wrongToken
    case readOnlyToken
    case unknownStream(String)
    case noFrameYet(stream: String)
    case badParameter(name: String, reason: String)
    case badBody(String)
    case bodyTooLarge(limit: Int)
    case outOfHistory(String)
    case notFound(path: String)
    case methodNotAllowed(allowed: [String])
    case unavailable(String)
    case busy(limit: Int)
    case failed(String)

    public var status: HTTPResponse.Status {
        switch self {
        case .missingToken, .wrongToken: .unauthorized
        case .readOnlyToken: .forbidden
        case .unknownStream, .notFound: .notFound
        case .noFrameYet: .serviceUnavailable
        case .badParameter, .badBody: .badRequest
        case .bodyTooLarge: .contentTooLarge
        case .outOfHistory: .rangeNotSatisfiable
        case .methodNotAllowed: .methodNotAllowed
        case .unavailable, .busy: .serviceUnavailable
        case .failed: .internalServerError
        }
    }

    public var code: String {
        switch self {
        case .missingToken: "missing_token"
        case .wrongToken: "wrong_token"
        case .readOnlyToken: "read_only_token"
        case .unknownStream: "unknown_stream"
        case .noFrameYet: "no_frame_yet"
        case .badParameter: "bad_parameter"
        case .badBody: "bad_body"
        case .bodyTooLarge: "body_too_large"
        case .outOfHistory: "out_of_history"
        case .notFound: "not_found"
        case .methodNotAllowed: "method_not_allowed"
        case .unavailable: "unavailable"
        case .busy: "busy"
        case .failed: "internal_error"
        }
    }

    public var description: String {
        switch self {
        case .missingToken:
            "this endpoint needs a token: send 'Authorization: Bearer TOKEN' (or ?token=TOKEN); the relay printed its tokens at first start, and keeps them in the data directory (api-token, api-read-token)"
        case .wrongToken:
            "the token is not one of this relay's tokens (see api-token and api-read-token in its data directory, or its --token)"
        case .readOnlyToken:
            "this token may only read; writing (annotations) needs the read-write token (api-token in the data directory, or --token)"
        case .unknownStream(let id):
            "no stream '\(PeerText.escaped(id))' on this relay; GET /v1/streams lists the streams and their ids"
        case .noFrameYet(let stream):
            "stream \(stream) has no decoded frame yet (it is connecting, decoding is off, or it sends no video); try again, or ask with ?after=0&timeout=10 to wait"
        case .badParameter(let name, let reason):
            "parameter '\(name)': \(reason)"
        case .badBody(let reason):
            "the request body is not a valid annotation: \(reason)"
        case .bodyTooLarge(let limit):
            "the request body is larger than \(limit) bytes"
        case .outOfHistory(let reason):
            reason
        case .notFound(let path):
            "no endpoint \(PeerText.escaped(path)); GET /v1/openapi.yaml describes every endpoint"
        case .methodNotAllowed(let allowed):
            "this endpoint takes only \(allowed.joined(separator: ", ")); GET /v1/openapi.yaml describes every endpoint"
        case .busy(let limit):
            "\(limit) history requests (frame, frames, clip.mp4) are running, the most at once; try again in a second"
        case .unavailable(let reason), .failed(let reason):
            reason
        }
    }

    /// The error `error` (from a history read) is, for the API.
    static func history(_ error: HistoryError, stream: String) -> APIError {
        switch error {
        // The history's own messages name the stream by its key: never passed on.
        case .empty, .noFrame: .noFrameYet(stream: stream)
        case .outOfRange: .outOfHistory("\(error)")
        case .noDecoder, .media: .failed("\(error)")
        }
    }
}

extension APIError: HTTPResponseError {
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = APIErrorBody(error: .init(code: code, message: description, status: status.code))
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"imago\"" }
        if case .methodNotAllowed(let allowed) = self { headers[.allow] = allowed.joined(separator: ", ") }
        if case .busy = self { headers[.retryAfter] = "1" }
        let data = (try? JSONEncoder.api.encode(body)) ?? Data()
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// `{"error": {"code", "message", "status"}}`.
private struct APIErrorBody: Encodable {
    struct Detail: Encodable {
        let code: String
        let message: String
        let status: Int
    }
    let error: Detail
}

extension JSONEncoder {
    /// How the API writes JSON: sorted keys, ISO 8601 dates, non-finite numbers as null never arise
    /// (every figure is checked before encoding).
    static var api: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }
}
