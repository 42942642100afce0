/// H.264/HEVC in Annex B form (NAL units after 00 00 01 start codes), as MPEG-TS, RTSP and raw
/// streams carry them, turned into the length-prefixed form and configuration records (avcC, hvcC)
/// that FLV, MP4 and the rest of Imago use: the core then sees one representation whatever the source.
public enum AnnexB {
    /// True when `bytes` starts with a start code (00 00 01 or 00 00 00 01).
    public static func hasStartCode(_ bytes: [UInt8]) -> Bool {
        bytes.starts(with: [0, 0, 1]) || bytes.starts(with: [0, 0, 0, 1])
    }

    /// The NAL units between start codes (header bytes included; trailing zero bytes dropped).
    public static func units(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var units: [ArraySlice<UInt8>] = []
        var unitStart: Int?
        var index = 0
        while index + 2 < bytes.count {
            if bytes[index] == 0, bytes[index + 1] == 0, bytes[index + 2] == 1 {
                if let start = unitStart { units.append(trimmed(bytes[start..<index])) }
                index += 3
                unitStart = index
            } else {
                index += 1
            }
        }
        if let start = unitStart, start < bytes.count { units.append(trimmed(bytes[start...])) }
        return units.filter { !$0.isEmpty }
    }

    /// Zero bytes before a start code belong to it (a 4-byte start code, or trailing_zero_8bits).
    private static func trimmed(_ unit: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var end = unit.endIndex
        while end > unit.startIndex, unit[end - 1] == 0 { end -= 1 }
        return unit[unit.startIndex..<end]
    }

    /// `units` each behind a 4-byte big-endian length.
    public static func lengthPrefixed(_ units: [ArraySlice<UInt8>]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(units.reduce(0) { $0 + $1.count + 4 })
        for unit in units {
            let length = UInt32(clamping: unit.count)
            out += [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
            out += unit
        }
        return out
    }

    /// An H.264 avcC record (4-byte lengths) from the SPS and PPS units found in `units`; nil without both.
    public static func avcC(from units: [ArraySlice<UInt8>]) -> [UInt8]? {
        let sps = units.filter { $0.first.map { $0 & 0x1F == 7 } ?? false }
        let pps = units.filter { $0.first.map { $0 & 0x1F == 8 } ?? false }
        guard let first = sps.first, first.count >= 4, !pps.isEmpty, sps.count < 32, pps.count < 256,
              (sps + pps).allSatisfy({ $0.count <= 0xFFFF }) else { return nil }
        let header = Array(first.prefix(4))
        var record: [UInt8] = [1, header[1], header[2], header[3], 0xFC | 3, 0xE0 | UInt8(sps.count)]
        for unit in sps { record += length16(unit) + unit }
        record.append(UInt8(pps.count))
        for unit in pps { record += length16(unit) + unit }
        return record
    }

    /// An HEVC hvcC record (4-byte lengths) from the VPS, SPS and PPS units in `units`; nil without all three.
    /// The profile, tier and level come from the SPS; chroma format and bit depth are the common 4:2:0
    /// 8-bit (decoders read the real values from the parameter sets in the arrays).
    public static func hvcC(from units: [ArraySlice<UInt8>]) -> [UInt8]? {
        func ofType(_ type: UInt8) -> [ArraySlice<UInt8>] {
            units.filter { $0.first.map { ($0 >> 1) & 0x3F == type } ?? false }
        }
        let vps = ofType(32), sps = ofType(33), pps = ofType(34)
        guard let first = sps.first, !vps.isEmpty, !pps.isEmpty, vps.count + sps.count + pps.count < 0xFFFF,
              (vps + sps + pps).allSatisfy({ $0.count <= 0xFFFF }) else { return nil }
        // After the 2-byte NAL header: vps id/max sub-layers/nesting (1 byte), then profile_tier_level's
        // general part: space/tier/idc (1), compatibility flags (4), constraint flags (6), level (1).
        let rbsp = BitReader.removingEmulationPrevention(first.dropFirst(2))
        guard rbsp.count >= 13 else { return nil }
        let subLayers = (rbsp[0] >> 1) & 0x07
        var record: [UInt8] = [1]
        record += rbsp[1...12]
        record += [0xF0, 0x00, 0xFC, 0xFC | 1, 0xF8, 0xF8, 0x00, 0x00]
        record.append((subLayers + 1) << 3 | (rbsp[0] & 1) << 2 | 3)
        record.append(3)
        for (type, array) in [(UInt8(32), vps), (33, sps), (34, pps)] {
            record.append(0x80 | type)
            record += [UInt8(array.count >> 8), UInt8(array.count & 0xFF)]
            for unit in array { record += length16(unit) + unit }
        }
        return record
    }

    private static func length16(_ unit: ArraySlice<UInt8>) -> [UInt8] {
        let length = min(unit.count, 0xFFFF)
        return [UInt8(length >> 8), UInt8(length & 0xFF)]
    }
}
