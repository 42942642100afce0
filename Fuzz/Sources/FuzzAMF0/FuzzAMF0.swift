import FuzzSupport
import ImagoCodecs
import ImagoRTMP
import NIOCore

/// Input: an AMF0 command or data message body.
/// Whatever decodes must re-encode to bytes that decode to the same values (compared as encoded bytes,
/// so that NaN numbers compare equal).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var buffer = FuzzInput(data, size).buffer
    var decoder = AMF0Decoder()
    guard let values = try? decoder.decodeAll(from: &buffer) else { return 0 }
    let encoded = AMF0Encoder.encode(values)
    var again = encoded
    var secondDecoder = AMF0Decoder()
    let reread: [AMF0Value]
    do {
        reread = try secondDecoder.decodeAll(from: &again)
    } catch {
        preconditionFailure("re-encoded AMF0 does not decode: \(error)")
    }
    precondition(AMF0Encoder.encode(reread) == encoded, "AMF0 values change in a decode-encode round trip")
    return 0
}
