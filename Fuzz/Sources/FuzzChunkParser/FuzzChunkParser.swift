import FuzzSupport
import ImagoCodecs
import ImagoRTMP
import NIOCore

/// Input: a selector byte (see `FuzzInput.pieces()`), then an RTMP chunk stream as it follows the handshake.
///
/// The stream is parsed twice, whole and in the pieces the selector chooses; both must give the same
/// messages and the same error, since the parser must not depend on how reads split the bytes.
/// Selectors with the high bit set use tight limits, so the fuzzer reaches the limit checks with small inputs.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let (selector, pieces) = input.pieces()
    var limits = RTMPLimits.default
    if selector & 0x80 != 0 {
        limits.maxChunkSize = 8192
        limits.maxMessageBytes = 4096
        limits.maxPendingBytes = 6000
        limits.maxChunkStreams = 4
    }
    let whole = parse([input.bytes.dropFirst()], limits: limits)
    let split = parse(pieces, limits: limits)
    precondition(
        whole.messages == split.messages && whole.error == split.error,
        "whole: \(whole.messages.count) messages, error \(whole.error.map { "\($0)" } ?? "none"); "
            + "in \(pieces.count) pieces: \(split.messages.count) messages, error \(split.error.map { "\($0)" } ?? "none")")
    return 0
}

/// A parsed message with its payload copied out: a kept payload slice would share the input buffer's
/// storage and make every later write copy the whole buffer.
private struct Message: Equatable {
    let chunkStreamID: UInt32
    let timestamp: UInt32
    let typeID: UInt8
    let messageStreamID: UInt32
    let payload: [UInt8]

    init(_ raw: RTMPRawMessage) {
        chunkStreamID = raw.chunkStreamID
        timestamp = raw.timestamp
        typeID = raw.typeID
        messageStreamID = raw.messageStreamID
        payload = Array(raw.payload.readableBytesView)
    }
}

/// Feeds `pieces` one after another and collects every message until the parser throws.
private func parse(_ pieces: [ArraySlice<UInt8>], limits: RTMPLimits) -> (messages: [Message], error: RTMPError?) {
    var parser = ChunkStreamParser(limits: limits)
    var pending = ByteBuffer()
    var messages: [Message] = []
    do {
        for piece in pieces {
            pending.writeBytes(piece)
            // Interpreting the messages is left to FuzzSession: here every execution goes to chunking.
            while let raw = try parser.parse(&pending) {
                messages.append(Message(raw))
            }
        }
        _ = parser.pendingMessageDescription
    } catch {
        return (messages, error)
    }
    return (messages, nil)
}
