import FuzzSupport
import ImagoCodecs
import ImagoRTMP
import Logging
import NIOCore

/// Input: a selector byte (see `FuzzInput.pieces()`), then everything a client sends from C0 on.
///
/// A whole server session (handshake, chunks, commands, media) is fed the pieces one `receive` at a
/// time, with a delegate that accepts every publish, until it throws or asks to close.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let session = RTMPServerSession(
        connectionID: 1, peer: "fuzz", limits: .default, delegate: AcceptingDelegate(),
        control: IgnoredConnectionControl(), logger: silentLogger)
    defer { session.connectionClosed(reason: "fuzz input ended") }
    for piece in FuzzInput(data, size).pieces().pieces {
        do {
            _ = try session.receive(ByteBuffer(bytes: piece))
        } catch {
            return 0  // a refused peer is an expected outcome
        }
        if session.closeReason != nil { return 0 }
    }
    _ = session.pendingMessageDescription
    return 0
}

private let silentLogger = Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() })

/// Accepts every publish and drops all media: the session's own parsing is what is fuzzed.
private final class AcceptingDelegate: RTMPIngestDelegate {
    func publishRequested(_ request: RTMPPublishRequest) -> RTMPPublishDecision { .accept }
    func publisher(_ id: RTMPPublisherID, didReceive event: RTMPPublisherEvent) {}
    func publisherDidEnd(_ id: RTMPPublisherID, reason: RTMPPublishEndReason) {}
}

/// A connection that ignores being told to close.
private final class IgnoredConnectionControl: RTMPConnectionControl {
    func close(reason: String) {}
}
