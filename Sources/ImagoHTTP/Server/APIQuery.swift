import HTTPTypes
import Hummingbird

/// The query parameters of one request, read with the API's rules: every number checked (finite, in
/// range), every problem an `APIError.badParameter` naming the parameter.
struct APIQuery {
    let request: Request

    init(_ request: Request) {
        self.request = request
    }

    func string(_ name: String) -> String? {
        request.uri.queryParameters[name[...]].map(String.init)
    }

    func integer(_ name: String, in range: ClosedRange<Int>) throws(APIError) -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw .badParameter(name: name, reason: "'\(text.prefix(40))' is not a whole number in \(range.lowerBound)…\(range.upperBound)")
        }
        return value
    }

    func number(_ name: String, in range: ClosedRange<Double>) throws(APIError) -> Double? {
        guard let text = string(name) else { return nil }
        guard let value = Double(text), value.isFinite, range.contains(value) else {
            throw .badParameter(name: name, reason: "'\(text.prefix(40))' is not a number in \(range.lowerBound)…\(range.upperBound)")
        }
        return value
    }

    /// `1`/`true`/`yes` or `0`/`false`/`no`; absent is false.
    func flag(_ name: String) throws(APIError) -> Bool {
        guard let text = string(name)?.lowercased() else { return false }
        switch text {
        case "1", "true", "yes", "": return true
        case "0", "false", "no": return false
        default: throw .badParameter(name: name, reason: "'\(text.prefix(40))' is not 1, true, yes, 0, false or no")
        }
    }

    /// A time on the stream timeline in ms: seconds (`12.5`), `now` (the newest packet) or `now-2.5`.
    func time(_ name: String, newestMilliseconds: Int64?) throws(APIError) -> Int64? {
        guard let text = string(name) else { return nil }
        let reason = "'\(text.prefix(40))' is not a time: write seconds on the stream timeline (12.5), now, or now-2.5"
        if text.hasPrefix("now") {
            guard let newest = newestMilliseconds else { throw .outOfHistory("the stream's history is empty, so '\(name)=now' names no moment yet") }
            let rest = text.dropFirst(3)
            if rest.isEmpty { return newest }
            let digits = rest.dropFirst()
            guard rest.first == "-", digits.first.map({ $0.isNumber || $0 == "." }) == true, let back = Double(digits), back.isFinite,
                  (0...1e7).contains(back) else {
                throw .badParameter(name: name, reason: reason)
            }
            return newest - Int64((back * 1000).rounded())
        }
        guard let seconds = Double(text), seconds.isFinite, (-1e9...1e9).contains(seconds) else {
            throw .badParameter(name: name, reason: reason)
        }
        return Int64((seconds * 1000).rounded())
    }

    /// The picture shape: `width`, `height` (2…8192) and `quality` (1…100, JPEG only).
    func imageRequest(format: ImageFormat) throws(APIError) -> ImageRequest {
        ImageRequest(
            format: format, width: try integer("width", in: 2...8192), height: try integer("height", in: 2...8192),
            quality: try integer("quality", in: 1...100) ?? 85)
    }
}
