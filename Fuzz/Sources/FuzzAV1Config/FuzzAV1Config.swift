import FuzzSupport
import ImagoCodecs
import ImagoRTMP

/// Input: an av1C record (the AV1 sequence start payload), including its sequence header OBU.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let record = try? AV1CodecConfigurationRecord(parsing: FuzzInput(data, size).bytes) else { return 0 }
    _ = (record.profileName, record.levelName, record.bitDepth)
    return 0
}
