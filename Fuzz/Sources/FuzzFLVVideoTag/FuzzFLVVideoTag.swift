import FuzzSupport
import ImagoCodecs
import ImagoRTMP
import NIOCore

/// Input: an RTMP video message body (FLV VIDEODATA). Coded frames are also split into NAL units
/// with every NAL length size, as the ingest does with the size from the configuration record.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let tag = try? FLVVideoTag.parse(FuzzInput(data, size).buffer) else { return 0 }
    _ = tag.codec.displayName
    if case .codedFrame(_, let frame) = tag.packet {
        for lengthSize in 0...5 {
            _ = try? NALUnitScanner.units(in: frame, lengthSize: lengthSize)
            _ = NALUnitScanner.h264ContainsIDR(frame, lengthSize: lengthSize)
            _ = NALUnitScanner.hevcContainsIRAP(frame, lengthSize: lengthSize)
        }
    }
    return 0
}
