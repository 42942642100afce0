import FuzzSupport
import ImagoCodecs
import ImagoRTMP

/// Input: an avcC record (the AVC sequence header payload). Its SPS units are parsed further, as the
/// ingest does to learn the picture size.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let record = try? AVCDecoderConfigurationRecord(parsing: FuzzInput(data, size).bytes) else { return 0 }
    precondition((1...4).contains(record.nalUnitLengthSize), "NAL unit length size \(record.nalUnitLengthSize)")
    for sps in record.sequenceParameterSets {
        _ = try? H264SequenceParameterSet(parsing: sps)
    }
    return 0
}
