import FuzzSupport
import ImagoCodecs
import ImagoRTMP

/// Input: an hvcC record (the HEVC sequence start payload); parsing it also reads the first SPS.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let record = try? HEVCDecoderConfigurationRecord(parsing: FuzzInput(data, size).bytes) else { return 0 }
    precondition((1...4).contains(record.nalUnitLengthSize), "NAL unit length size \(record.nalUnitLengthSize)")
    _ = (record.profileName, record.tierName, record.levelName, record.units(ofType: 33).count)
    return 0
}
