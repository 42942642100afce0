import FuzzSupport
import ImagoCodecs
import ImagoRTMP
import NIOCore

/// Input: an RTMP audio message body (FLV AUDIODATA). An AAC sequence start is parsed further as an
/// AudioSpecificConfig, as the ingest does.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let tag = try? FLVAudioTag.parse(FuzzInput(data, size).buffer) else { return 0 }
    _ = tag.codec.displayName
    if tag.codec == .aac, case .sequenceStart(let config) = tag.packet {
        _ = (try? AudioSpecificConfig(parsing: config))?.objectTypeName
    }
    return 0
}
