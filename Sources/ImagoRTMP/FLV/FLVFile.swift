import ImagoCodecs
import Foundation

/// The tags of an FLV file, to replay a recording as a publisher would send it (benchmarks, tests).
public struct FLVFile: Sendable {
    public struct Tag: Sendable {
        /// 8 audio, 9 video, 18 script data: the same numbers as RTMP message types.
        public let type: UInt8
        public let timestamp: UInt32
        public var body: ArraySlice<UInt8>

        public init(type: UInt8, timestamp: UInt32, body: ArraySlice<UInt8>) {
            self.type = type
            self.timestamp = timestamp
            self.body = body
        }
    }

    public var tags: [Tag]

    public init(contentsOf url: URL) throws {
        let bytes = [UInt8](try Data(contentsOf: url))
        guard bytes.count >= 13, bytes[0...2] == [0x46, 0x4C, 0x56] else {
            throw FLVError.notAnFLVFile(path: url.path)
        }
        let headerSize = Int(bytes[5]) << 24 | Int(bytes[6]) << 16 | Int(bytes[7]) << 8 | Int(bytes[8])
        var offset = headerSize + 4
        var tags: [Tag] = []
        while offset + 11 <= bytes.count {
            let type = bytes[offset] & 0x1F
            let size = Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            let timestamp = UInt32(bytes[offset + 7]) << 24 | UInt32(bytes[offset + 4]) << 16 | UInt32(bytes[offset + 5]) << 8 | UInt32(bytes[offset + 6])
            let start = offset + 11
            guard start + size <= bytes.count else { break }
            tags.append(Tag(type: type, timestamp: timestamp, body: bytes[start..<(start + size)]))
            offset = start + size + 4
        }
        self.tags = tags
    }
}

