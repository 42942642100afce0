import FuzzSupport
import ImagoCodecs
import ImagoRTMP
import NIOCore

/// Input: what a client sends first (C0, C1, C2, maybe chunks after them).
/// Checks that the reply is always S0+S1+S2 (3073 bytes) and that exactly C0+C1+C2 is consumed.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var buffer = FuzzInput(data, size).buffer
    var handshake = ServerHandshake()
    do {
        while true {
            switch try handshake.parse(&buffer) {
            case .needMoreData:
                precondition(size < 1 + 2 * 1536, "needMoreData with \(size) bytes in hand")
                return 0
            case .reply(let reply):
                precondition(reply.readableBytes == 1 + 2 * 1536, "reply of \(reply.readableBytes) bytes")
                precondition(reply.getInteger(at: reply.readerIndex, as: UInt8.self) == 3, "S0 is not 0x03")
                precondition(handshake.kind != nil, "no handshake kind after C1")
            case .complete:
                precondition(buffer.readableBytes == size - (1 + 2 * 1536), "consumed more or less than C0+C1+C2")
                return 0
            }
        }
    } catch {
        return 0  // a refused C0 is an expected outcome
    }
}
