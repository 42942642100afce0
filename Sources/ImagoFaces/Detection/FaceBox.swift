/// A face found by `FaceDetector`, in the pixel coordinates of the image it was found in.
///
/// Edges are inclusive, as dlib reports them: a box with `left` 10 and `right` 19 is 10 pixels wide.
/// A face cut off by the image border gives a box that extends past it (negative `left`, say).
public struct FaceBox: Sendable, Equatable, Codable {
    public var left: Int
    public var top: Int
    public var right: Int
    public var bottom: Int
    /// The detector's confidence: 0 or more, higher is more certain (a clear frontal face scored 1.0–1.6 in tests).
    public var score: Double

    public init(left: Int, top: Int, right: Int, bottom: Int, score: Double) {
        self.left = left
        self.top = top
        self.right = right
        self.bottom = bottom
        self.score = score
    }

    /// Width in pixels (0 for an empty box).
    public var width: Int { max(0, right - left + 1) }

    /// Height in pixels (0 for an empty box).
    public var height: Int { max(0, bottom - top + 1) }

    /// Area of the overlap divided by the area of the union: 1 for the same box, 0 for disjoint ones.
    /// The usual measure of whether two detections are the same face (≥ 0.5 is the common threshold).
    public func intersectionOverUnion(_ other: FaceBox) -> Double {
        let overlapWidth = max(0, min(right, other.right) - max(left, other.left) + 1)
        let overlapHeight = max(0, min(bottom, other.bottom) - max(top, other.top) + 1)
        let intersection = overlapWidth * overlapHeight
        let union = width * height + other.width * other.height - intersection
        return union > 0 ? Double(intersection) / Double(union) : 0
    }

    /// The same face in a copy of the image scaled by `factor` (> 0), score unchanged; e.g. a box found
    /// in a 320×180 thumbnail, `scaled(by: 2)`, lands on the face in the 640×360 original.
    public func scaled(by factor: Double) -> FaceBox {
        precondition(factor > 0 && factor.isFinite, "FaceBox.scaled(by:) needs a finite factor > 0, got \(factor)")
        // Scale the pixel edges (right + 1 is the edge after the last column), then go back to inclusive indices.
        func edge(_ value: Int) -> Int { Int((Double(value) * factor).rounded()) }
        return FaceBox(
            left: edge(left),
            top: edge(top),
            right: edge(right + 1) - 1,
            bottom: edge(bottom + 1) - 1,
            score: score
        )
    }
}
