import ImagoCodecs

/// FLV tags fail with the same errors as the codec records they carry.
public typealias FLVError = BitstreamError
