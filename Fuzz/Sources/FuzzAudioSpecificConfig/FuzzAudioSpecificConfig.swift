import FuzzSupport
import ImagoCodecs
import ImagoRTMP

/// Input: an AAC AudioSpecificConfig (the AAC sequence header payload).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let config = try? AudioSpecificConfig(parsing: FuzzInput(data, size).bytes) else { return 0 }
    precondition(config.sampleRate > 0, "sample rate \(config.sampleRate)")
    _ = config.objectTypeName
    return 0
}
