import NIOCore

/// A User Control message (type 4): stream state and keep-alive pings.
public enum UserControlEvent: Sendable, Equatable {
    case streamBegin(streamID: UInt32)
    case streamEOF(streamID: UInt32)
    case streamDry(streamID: UInt32)
    case setBufferLength(streamID: UInt32, milliseconds: UInt32)
    case streamIsRecorded(streamID: UInt32)
    case pingRequest(timestamp: UInt32)
    case pingResponse(timestamp: UInt32)
    /// Event types this server has no use for (e.g. SWF verification), kept so they can be logged.
    case other(type: UInt16)

    init(parsing payload: ByteBuffer) throws(RTMPError) {
        var payload = payload
        guard let type = payload.readInteger(as: UInt16.self) else {
            throw .malformedControlMessage(type: RTMPMessageType.userControl.rawValue, length: payload.readableBytes)
        }
        func value() throws(RTMPError) -> UInt32 {
            guard let value = payload.readInteger(as: UInt32.self) else {
                throw .malformedControlMessage(type: RTMPMessageType.userControl.rawValue, length: payload.readableBytes + 2)
            }
            return value
        }
        switch type {
        case 0: self = .streamBegin(streamID: try value())
        case 1: self = .streamEOF(streamID: try value())
        case 2: self = .streamDry(streamID: try value())
        case 3:
            let streamID = try value()
            self = .setBufferLength(streamID: streamID, milliseconds: try value())
        case 4: self = .streamIsRecorded(streamID: try value())
        case 6: self = .pingRequest(timestamp: try value())
        case 7: self = .pingResponse(timestamp: try value())
        default: self = .other(type: type)
        }
    }

    func write(into buffer: inout ByteBuffer) {
        switch self {
        case .streamBegin(let id): buffer.writeInteger(UInt16(0)); buffer.writeInteger(id)
        case .streamEOF(let id): buffer.writeInteger(UInt16(1)); buffer.writeInteger(id)
        case .streamDry(let id): buffer.writeInteger(UInt16(2)); buffer.writeInteger(id)
        case .setBufferLength(let id, let milliseconds):
            buffer.writeInteger(UInt16(3)); buffer.writeInteger(id); buffer.writeInteger(milliseconds)
        case .streamIsRecorded(let id): buffer.writeInteger(UInt16(4)); buffer.writeInteger(id)
        case .pingRequest(let timestamp): buffer.writeInteger(UInt16(6)); buffer.writeInteger(timestamp)
        case .pingResponse(let timestamp): buffer.writeInteger(UInt16(7)); buffer.writeInteger(timestamp)
        case .other(let type): buffer.writeInteger(type)
        }
    }
}
