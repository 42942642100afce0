/// Walks AVCC/HVCC access units: NAL units each preceded by a big-endian length of
/// `lengthSize` bytes (the `nalUnitLengthSize` of the decoder configuration record).
public enum NALUnitScanner {
    /// Splits an AVCC/HVCC length-prefixed access unit into its NAL units (header byte(s) included).
    ///
    /// Zero-length units are skipped. Throws when `lengthSize` is not 1...4 or when a length runs
    /// past the end of `accessUnit` (including a length prefix that is itself cut short).
    public static func units(in accessUnit: [UInt8], lengthSize: Int) throws(BitstreamError) -> [ArraySlice<UInt8>] {
        guard (1...4).contains(lengthSize) else { throw .invalidNALUnitLengthSize(lengthSize) }
        var result: [ArraySlice<UInt8>] = []
        var offset = accessUnit.startIndex
        while offset < accessUnit.endIndex {
            let remaining = accessUnit.endIndex - offset
            guard remaining >= lengthSize else {
                throw .truncated(structure: "access unit", field: "the NAL unit length at offset \(offset)", needed: lengthSize, remaining: remaining)
            }
            var length = 0
            for index in offset..<(offset + lengthSize) {
                length = length << 8 | Int(accessUnit[index])
            }
            offset += lengthSize
            guard length <= accessUnit.endIndex - offset else {
                throw .declaredLengthExceedsData(structure: "access unit", item: "a NAL unit (at offset \(offset - lengthSize))", declared: length, remaining: accessUnit.endIndex - offset)
            }
            if length > 0 {
                result.append(accessUnit[offset..<(offset + length)])
            }
            offset += length
        }
        return result
    }

    /// True when an H.264 access unit contains an IDR slice (nal_unit_type 5).
    ///
    /// Needed because some encoders (GStreamer x264enc) set the FLV keyframe flag on frames that hold
    /// only non-IDR slices. Units before a malformed length are still inspected; nothing after it is.
    public static func h264ContainsIDR(_ accessUnit: [UInt8], lengthSize: Int) -> Bool {
        containsUnit(in: accessUnit, lengthSize: lengthSize) { header in header & 0x1F == 5 }
    }

    /// True when an HEVC access unit contains an IRAP picture (nal_unit_type 16...23: BLA, IDR, CRA).
    ///
    /// Units before a malformed length are still inspected; nothing after it is.
    public static func hevcContainsIRAP(_ accessUnit: [UInt8], lengthSize: Int) -> Bool {
        containsUnit(in: accessUnit, lengthSize: lengthSize) { header in (16...23).contains((header >> 1) & 0x3F) }
    }

    /// Calls `matches` with the first byte of each NAL unit until it returns true or the data ends or breaks.
    private static func containsUnit(in accessUnit: [UInt8], lengthSize: Int, matches: (UInt8) -> Bool) -> Bool {
        guard (1...4).contains(lengthSize) else { return false }
        var offset = accessUnit.startIndex
        while accessUnit.endIndex - offset >= lengthSize {
            var length = 0
            for index in offset..<(offset + lengthSize) {
                length = length << 8 | Int(accessUnit[index])
            }
            offset += lengthSize
            guard length <= accessUnit.endIndex - offset else { return false }
            if length > 0 && matches(accessUnit[offset]) { return true }
            offset += length
        }
        return false
    }
}
