import FuzzSupport
import ImagoCodecs
import ImagoRTMP

/// Input: an H.264 SPS NAL unit, header byte included.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let sps = try? H264SequenceParameterSet(parsing: FuzzInput(data, size).bytes) else { return 0 }
    precondition(sps.width > 0 && sps.height > 0, "picture size \(sps.width)x\(sps.height)")
    _ = (sps.profileName, sps.levelName)
    return 0
}
