import ImagoMedia

/// A decoded picture with the times that tell how current it is.
public struct DecodedFrame: Sendable {
    public let picture: VideoFrame
    /// Counts frames published by one decoder: a reader that saw number n has seen everything up to n.
    public let number: Int
    /// Presentation time on the stream timeline (ms).
    public let ptsMilliseconds: Int64
    /// When the packet that let the decoder output this frame arrived (`MonotonicClock` ns).
    public let arrivalNanoseconds: UInt64
    /// When decoding finished (`MonotonicClock` ns).
    public let decodedNanoseconds: UInt64

    public init(picture: VideoFrame, number: Int, ptsMilliseconds: Int64, arrivalNanoseconds: UInt64, decodedNanoseconds: UInt64) {
        self.picture = picture
        self.number = number
        self.ptsMilliseconds = ptsMilliseconds
        self.arrivalNanoseconds = arrivalNanoseconds
        self.decodedNanoseconds = decodedNanoseconds
    }

    /// Seconds since the packet that produced this frame arrived.
    public func ageSeconds(now: UInt64 = MonotonicClock.nowNanoseconds()) -> Double {
        MonotonicClock.seconds(from: arrivalNanoseconds, to: now)
    }
}
