import Foundation
import ImagoFaces

/// The body of `POST /v1/streams/{id}/annotations`, checked field by field.
struct AnnotationInput: Decodable {
    struct Box: Decodable {
        let x: Double
        let y: Double
        let width: Double
        let height: Double
        let score: Double?
    }

    let type: String
    /// Seconds on the stream timeline (`start` required; `end` optional, not before `start`).
    let start: Double
    let end: Double?
    let label: String?
    let confidence: Double?
    let boxes: [Box]?
    let data: JSONValue?

    static let maxBodyBytes = 256 << 10
    static let maxTextCharacters = 200
    static let maxBoxes = 256

    /// Decodes and checks `body`; the first problem found is the error.
    static func parse(_ body: Data) throws(APIError) -> AnnotationInput {
        let input: AnnotationInput
        do {
            input = try JSONDecoder().decode(AnnotationInput.self, from: body)
        } catch let DecodingError.keyNotFound(key, _) {
            throw .badBody("'\(key.stringValue)' is missing")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw .badBody("'\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type")
        } catch {
            throw .badBody("it is not JSON (\(error.localizedDescription))")
        }
        try input.check()
        return input
    }

    private func check() throws(APIError) {
        guard !type.isEmpty, type.count <= Self.maxTextCharacters, type.allSatisfy({ !$0.isNewline && $0.asciiValue.map { $0 >= 32 } ?? true }) else {
            throw .badBody("'type' must be 1–\(Self.maxTextCharacters) characters without control characters")
        }
        if let label, label.count > Self.maxTextCharacters || label.contains(where: { $0.asciiValue.map { $0 < 32 } ?? false }) {
            throw .badBody("'label' must be at most \(Self.maxTextCharacters) characters without control characters")
        }
        guard start.isFinite, abs(start) < 1e9 else { throw .badBody("'start' must be a finite number of seconds") }
        if let end {
            guard end.isFinite, abs(end) < 1e9, end >= start else { throw .badBody("'end' must be a finite number of seconds, not before 'start'") }
        }
        if let confidence {
            guard confidence.isFinite, (0...1).contains(confidence) else { throw .badBody("'confidence' must be between 0 and 1") }
        }
        if let boxes {
            guard boxes.count <= Self.maxBoxes else { throw .badBody("at most \(Self.maxBoxes) boxes") }
            for box in boxes {
                let values = [box.x, box.y, box.width, box.height] + (box.score.map { [$0] } ?? [])
                guard values.allSatisfy({ $0.isFinite && abs($0) < 1e6 }), box.width >= 0, box.height >= 0 else {
                    throw .badBody("a box needs finite x, y, width ≥ 0 and height ≥ 0 (source pixels)")
                }
            }
        }
    }

    /// The stored form.
    func event(stream: String, runID: String, sourceWidth: Int, sourceHeight: Int) -> StreamEvent {
        let boxes = (self.boxes ?? []).map { box in
            FaceBox(left: Int(box.x), top: Int(box.y), right: Int(box.x + box.width) - 1, bottom: Int(box.y + box.height) - 1,
                    score: box.score ?? confidence ?? 0)
        }
        let dataText = data.flatMap { try? JSONEncoder().encode($0) }.map { String(decoding: $0, as: UTF8.self) }
        return StreamEvent(
            kind: .annotation, stream: stream, date: Date(), ptsMilliseconds: Int64((start * 1000).rounded()), runID: runID,
            sourceWidth: sourceWidth, sourceHeight: sourceHeight, boxes: boxes,
            annotation: StreamEvent.Annotation(
                type: type, label: label, confidence: confidence, endMilliseconds: end.map { Int64(($0 * 1000).rounded()) }, data: dataText))
    }
}
