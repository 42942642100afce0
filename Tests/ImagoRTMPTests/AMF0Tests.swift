import Foundation
import NIOCore
import XCTest

import ImagoRTMP

final class AMF0Tests: XCTestCase {
    // MARK: - Helpers

    private func bytes(_ value: AMF0Value) -> [UInt8] {
        var buffer = ByteBuffer()
        AMF0Encoder.encode(value, into: &buffer)
        return Array(buffer.readableBytesView)
    }

    private func decodeOne(_ bytes: [UInt8], maxDepth: Int = 32) throws(AMF0Error) -> AMF0Value {
        var buffer = ByteBuffer(bytes: bytes)
        var decoder = AMF0Decoder(maxDepth: maxDepth)
        return try decoder.decodeValue(from: &buffer)
    }

    private func decodeAll(_ bytes: [UInt8]) throws(AMF0Error) -> [AMF0Value] {
        var buffer = ByteBuffer(bytes: bytes)
        var decoder = AMF0Decoder()
        return try decoder.decodeAll(from: &buffer)
    }

    /// Asserts that decoding `bytes` as a message body throws exactly `expected`.
    private func assertThrows(
        _ bytes: [UInt8], _ expected: AMF0Error, maxDepth: Int = 32,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        var buffer = ByteBuffer(bytes: bytes)
        var decoder = AMF0Decoder(maxDepth: maxDepth)
        do {
            let values = try decoder.decodeAll(from: &buffer)
            XCTFail("expected \(expected), decoded \(values)", file: file, line: line)
        } catch {
            XCTAssertEqual(error, expected, file: file, line: line)
            XCTAssertEqual(buffer.readerIndex, 0, "reader index must not move on error", file: file, line: line)
        }
    }

    private func loadFixture(_ name: String) throws -> [UInt8] {
        let url = try XCTUnwrap(
            Bundle.module.url(forResource: name, withExtension: "bin", subdirectory: "Fixtures"),
            "fixture \(name).bin missing"
        )
        return Array(try Data(contentsOf: url))
    }

    /// The body of OBS 29's connect command: in obs-c2s.bin the chunk stream starts at 3073 with
    /// a 16-byte Set Chunk Size message, then a type-0 chunk header (12 bytes) for a 191-byte
    /// type-20 message that fits in one chunk.
    private func obsConnectBody() throws -> [UInt8] {
        let capture = try loadFixture("obs-c2s")
        let header = Array(capture[3089..<3101])
        XCTAssertEqual(header, [0x03, 0, 0, 0, 0, 0, 0xBF, 0x14, 0, 0, 0, 0], "connect chunk header")
        return Array(capture[3101..<3292])
    }

    private var everyType: [AMF0Value] {
        [
            .number(1.5),
            .number(-0.0),
            .number(.infinity),
            .boolean(true),
            .boolean(false),
            .string(""),
            .string("héllo wörld ✓ 🎥"),
            .string(String(repeating: "x", count: 70_000)),
            .object([
                AMF0Property("app", .string("live")),
                AMF0Property("nested", .object([
                    AMF0Property("deeper", .object([AMF0Property("n", .number(3))])),
                    AMF0Property("list", .strictArray([.number(1), .string("two"), .null])),
                ])),
                AMF0Property("", .string("empty key")),
                AMF0Property("dup", .number(1)),
                AMF0Property("dup", .number(2)),
            ]),
            .null,
            .undefined,
            .reference(0),
            .reference(3),
            .ecmaArray([
                AMF0Property("duration", .number(4)),
                AMF0Property("encoder", .string("Lavf59.27.100")),
                AMF0Property("stereo", .boolean(false)),
            ]),
            .ecmaArray([]),
            .strictArray([]),
            .strictArray([.object([]), .ecmaArray([AMF0Property("k", .undefined)]), .strictArray([.boolean(true)])]),
            .reference(8),
            .date(millisecondsSince1970: 1_764_079_200_123, timeZoneMinutes: 0),
            .date(millisecondsSince1970: -86_400_000, timeZoneMinutes: -120),
        ]
    }

    // MARK: - Exact encodings

    func testKnownEncodings() {
        XCTAssertEqual(bytes(.number(1.0)), [0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(bytes(.string("a")), [0x02, 0x00, 0x01, 0x61])
        XCTAssertEqual(bytes(.object([AMF0Property("a", .boolean(true))])),
                       [0x03, 0x00, 0x01, 0x61, 0x01, 0x01, 0x00, 0x00, 0x09])
        XCTAssertEqual(bytes(.boolean(false)), [0x01, 0x00])
        XCTAssertEqual(bytes(.null), [0x05])
        XCTAssertEqual(bytes(.undefined), [0x06])
        XCTAssertEqual(bytes(.reference(0x0102)), [0x07, 0x01, 0x02])
        XCTAssertEqual(bytes(.ecmaArray([AMF0Property("b", .null)])),
                       [0x08, 0, 0, 0, 1, 0x00, 0x01, 0x62, 0x05, 0x00, 0x00, 0x09])
        XCTAssertEqual(bytes(.strictArray([.null, .undefined])), [0x0A, 0, 0, 0, 2, 0x05, 0x06])
        XCTAssertEqual(bytes(.date(millisecondsSince1970: 1.0, timeZoneMinutes: -1)),
                       [0x0B, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF])
        XCTAssertEqual(AMF0Encoder.encode([.string("a"), .number(1.0)]).readableBytesView.count, 13)
    }

    func testStringSwitchesToLongStringAbove65535Bytes() throws {
        let short = bytes(.string(String(repeating: "y", count: 65_535)))
        XCTAssertEqual(Array(short.prefix(3)), [0x02, 0xFF, 0xFF])
        XCTAssertEqual(short.count, 3 + 65_535)

        let long = bytes(.string(String(repeating: "y", count: 65_536)))
        XCTAssertEqual(Array(long.prefix(5)), [0x0C, 0x00, 0x01, 0x00, 0x00])
        XCTAssertEqual(long.count, 5 + 65_536)

        let seventyThousand = String(repeating: "z", count: 70_000)
        XCTAssertEqual(try decodeOne(bytes(.string(seventyThousand))), .string(seventyThousand))
        // A long string marker is accepted for short text too.
        XCTAssertEqual(try decodeOne([0x0C, 0, 0, 0, 2, 0x68, 0x69]), .string("hi"))
    }

    func testOverlongPropertyNameIsCutOnACharacterBoundary() throws {
        // 21846 × "€" (3 bytes each) = 65538 bytes; 21845 of them fill 65535 bytes exactly.
        let key = String(repeating: "€", count: 21_846)
        let decoded = try decodeOne(bytes(.object([AMF0Property(key, .null)])))
        XCTAssertEqual(decoded.properties?.first?.key, String(repeating: "€", count: 21_845))
        // A 2-byte character straddling the limit is dropped whole.
        let mixed = "a" + String(repeating: "é", count: 32_767)  // 1 + 65534 = 65535 bytes: fits
        XCTAssertEqual(try decodeOne(bytes(.object([AMF0Property(mixed, .null)]))).properties?.first?.key, mixed)
        let over = "ab" + String(repeating: "é", count: 32_767)  // 65536 bytes: last "é" dropped
        XCTAssertEqual(try decodeOne(bytes(.object([AMF0Property(over, .null)]))).properties?.first?.key,
                       "ab" + String(repeating: "é", count: 32_766))
    }

    // MARK: - Round trips

    func testRoundTripOfEveryType() throws {
        let values = everyType
        var buffer = AMF0Encoder.encode(values)
        var decoder = AMF0Decoder()
        let decoded = try decoder.decodeAll(from: &buffer)
        XCTAssertEqual(decoded, values)
        XCTAssertEqual(buffer.readableBytes, 0)
    }

    func testRoundTripOfEachValueAlone() throws {
        for value in everyType {
            if case .reference = value { continue }  // needs the complex values before it
            XCTAssertEqual(try decodeOne(bytes(value)), value)
        }
    }

    func testDeepNestingWithinLimitRoundTrips() throws {
        var value = AMF0Value.number(7)
        for level in 0..<32 {
            value = level.isMultiple(of: 2) ? .object([AMF0Property("x", value)]) : .strictArray([value])
        }
        XCTAssertEqual(try decodeOne(bytes(value)), value)
    }

    func testDecodeValueAdvancesOneValueAtATime() throws {
        var buffer = AMF0Encoder.encode([.string("connect"), .number(1), .null])
        var decoder = AMF0Decoder()
        XCTAssertEqual(try decoder.decodeValue(from: &buffer), .string("connect"))
        XCTAssertEqual(buffer.readableBytes, 10)
        XCTAssertEqual(try decoder.decodeValue(from: &buffer), .number(1))
        XCTAssertEqual(try decoder.decodeValue(from: &buffer), .null)
        XCTAssertEqual(buffer.readableBytes, 0)
    }

    func testReferencesCountComplexValuesInOrderOfAppearance() throws {
        // object #0 { inner: object #1 }, strict array #2, ecma array #3, then references to each.
        let values: [AMF0Value] = [
            .object([AMF0Property("inner", .object([]))]),
            .strictArray([.reference(1)]),
            .ecmaArray([]),
            .reference(0), .reference(1), .reference(2), .reference(3),
        ]
        XCTAssertEqual(try decodeAll(Array(AMF0Encoder.encode(values).readableBytesView)), values)
        // decodeAll starts a fresh reference scope for each message.
        var decoder = AMF0Decoder()
        var first = AMF0Encoder.encode([.object([])])
        _ = try decoder.decodeAll(from: &first)
        var second = AMF0Encoder.encode([.reference(0)])
        XCTAssertThrowsError(try decoder.decodeAll(from: &second)) { error in
            XCTAssertEqual(error as? AMF0Error, .invalidReference(index: 0, known: 0))
        }
    }

    // MARK: - Real traffic

    func testOBSConnectCommand() throws {
        let body = try obsConnectBody()
        let values = try decodeAll(body)
        let tcUrl = "rtmp://127.0.0.1:41937/live"
        XCTAssertEqual(values, [
            .string("connect"),
            .number(1),
            .object([
                AMF0Property("app", .string("live")),
                AMF0Property("type", .string("nonprivate")),
                AMF0Property("supportsGoAway", .boolean(true)),
                AMF0Property("flashVer", .string("FMLE/3.0 (compatible; FMSc/1.0)")),
                AMF0Property("swfUrl", .string(tcUrl)),
                AMF0Property("tcUrl", .string(tcUrl)),
            ]),
        ])
        XCTAssertEqual(values[2]["app"]?.stringValue, "live")
        XCTAssertEqual(values[2]["supportsGoAway"]?.boolValue, true)
        XCTAssertNil(values[2]["objectEncoding"])
        XCTAssertEqual(values[1].numberValue, 1)
        // Re-encoding reproduces OBS's bytes exactly.
        XCTAssertEqual(Array(AMF0Encoder.encode(values).readableBytesView), body)
    }

    /// Every cut of a command yields `truncated` (or, when the cut falls right after a strict array's
    /// count, `countExceedsData`, the same condition detected before allocating), never a crash.
    /// The only cuts that decode are those between two whole values. (ECMA arrays are left out:
    /// a cut after one of their properties is deliberately accepted, see below.)
    func testEveryTruncationOfACommandThrowsTruncated() throws {
        let values = try decodeAll(try obsConnectBody()) + [
            .strictArray([.date(millisecondsSince1970: 5, timeZoneMinutes: 0), .string("L"), .boolean(false), .undefined]),
            .object([AMF0Property("n", .object([AMF0Property("x", .number(1)), AMF0Property("r", .reference(1))]))]),
        ]
        let whole = AMF0Encoder.encode(values)
        let encoded = Array(whole.readableBytesView)
        // Offsets at which a whole number of values ends.
        var boundaries: [Int: Int] = [0: 0]
        var offset = 0
        for (index, value) in values.enumerated() {
            offset += bytes(value).count
            boundaries[offset] = index + 1
        }
        XCTAssertEqual(offset, encoded.count)

        for length in 0..<encoded.count {
            // A slice shares the storage: no copy per prefix.
            guard var buffer = whole.getSlice(at: whole.readerIndex, length: length) else {
                return XCTFail("no slice of \(length) bytes")
            }
            var decoder = AMF0Decoder()
            do {
                let decoded = try decoder.decodeAll(from: &buffer)
                guard let count = boundaries[length] else {
                    XCTFail("prefix of \(length) bytes decoded to \(decoded.count) values")
                    continue
                }
                XCTAssertTrue(decoded == Array(values.prefix(count)), "prefix of \(length) bytes")
            } catch .truncated(let needed, let available, _) {
                // Plain checks: XCTAssert per iteration is slow over ~70000 prefixes.
                if needed <= available || buffer.readerIndex != 0 {
                    XCTFail("prefix of \(length) bytes: truncated(needed: \(needed), available: \(available))")
                }
            } catch .countExceedsData(let count, let available) {
                if Int(count) <= available {
                    XCTFail("prefix of \(length) bytes: countExceedsData(\(count), \(available))")
                }
            } catch {
                XCTFail("prefix of \(length) bytes threw \(error), expected truncated")
            }
        }

        // Each complex value alone: every proper prefix fails.
        for value in values.suffix(3) {
            let encodedValue = AMF0Encoder.encode([value])
            for length in 0..<encodedValue.readableBytes {
                guard var buffer = encodedValue.getSlice(at: encodedValue.readerIndex, length: length) else {
                    return XCTFail("no slice of \(length) bytes")
                }
                var decoder = AMF0Decoder()
                do {
                    _ = try decoder.decodeValue(from: &buffer)
                    XCTFail("value cut at \(length) of \(encodedValue.readableBytes) bytes decoded")
                } catch .truncated, .countExceedsData {
                    if buffer.readerIndex != 0 { XCTFail("reader index moved on error") }
                } catch {
                    XCTFail("value cut at \(length) threw \(error)")
                }
            }
        }
    }

    func testCutLongStringThrowsTruncated() throws {
        let encoded = AMF0Encoder.encode([.string(String(repeating: "L", count: 70_000))])
        XCTAssertEqual(encoded.readableBytes, 70_005)
        for length in [0, 1, 2, 3, 4, 5, 6, 65_535, 65_540, 70_004] {
            var buffer = try XCTUnwrap(encoded.getSlice(at: encoded.readerIndex, length: length))
            var decoder = AMF0Decoder()
            XCTAssertThrowsError(try decoder.decodeValue(from: &buffer)) { error in
                guard case .truncated(let needed, let available, _)? = error as? AMF0Error else {
                    return XCTFail("cut at \(length): \(error)")
                }
                XCTAssertEqual(available, length < 5 ? max(0, length - 1) : length - 5)
                XCTAssertEqual(needed, length < 5 ? (length == 0 ? 1 : 4) : 70_000)
            }
        }
    }

    func testCutInsideAnECMAArrayDecodesOnlyAtPropertyBoundaries() throws {
        let value = AMF0Value.ecmaArray([AMF0Property("a", .number(1)), AMF0Property("bb", .string("x"))])
        let encoded = bytes(value)
        // marker+count = 5, "a"+number = 3+9, "bb"+string = 4+4, end = 3
        let accepted: [Int: AMF0Value] = [
            5: .ecmaArray([]),
            17: .ecmaArray([AMF0Property("a", .number(1))]),
            25: value,
        ]
        for length in 0..<encoded.count {
            var buffer = ByteBuffer(bytes: encoded[..<length])
            var decoder = AMF0Decoder()
            do {
                let decoded = try decoder.decodeValue(from: &buffer)
                XCTAssertEqual(decoded, accepted[length], "cut at \(length)")
            } catch .truncated {
                XCTAssertNil(accepted[length], "cut at \(length)")
            } catch {
                XCTFail("cut at \(length) threw \(error)")
            }
        }
    }

    // MARK: - Lenient input

    func testECMAArrayCountIsIgnoredInFavourOfTheEndMarker() throws {
        // Count says 5, there is one property and an end marker, then a number follows.
        let body: [UInt8] = [0x08, 0, 0, 0, 5, 0x00, 0x01, 0x61, 0x05, 0x00, 0x00, 0x09,
                             0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0]
        XCTAssertEqual(try decodeAll(body), [.ecmaArray([AMF0Property("a", .null)]), .number(1)])
    }

    func testECMAArrayWithoutEndMarkerAtEndOfMessage() throws {
        let body: [UInt8] = [0x02, 0x00, 0x01, 0x6D,
                             0x08, 0, 0, 0, 1, 0x00, 0x01, 0x61, 0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0]
        XCTAssertEqual(try decodeAll(body), [.string("m"), .ecmaArray([AMF0Property("a", .number(1))])])
        XCTAssertEqual(try decodeAll([0x08, 0, 0, 0, 0]), [.ecmaArray([])])
        // Objects get no such leniency.
        assertThrows([0x03, 0x00, 0x01, 0x61, 0x05],
                     .truncated(needed: 2, available: 0, what: "property name length"))
    }

    func testUnsupportedPlaceholderMarkerDecodesAsUndefined() throws {
        XCTAssertEqual(try decodeAll([0x0D, 0x05]), [.undefined, .null])
    }

    func testAnyNonZeroBooleanIsTrue() throws {
        XCTAssertEqual(try decodeOne([0x01, 0x7F]), .boolean(true))
    }

    // MARK: - Errors

    func testUnknownMarker() {
        assertThrows([0x12], .unknownMarker(0x12))
        assertThrows([0xFF], .unknownMarker(0xFF))
        assertThrows([0x09], .unexpectedObjectEnd)
    }

    func testUnsupportedMarkers() {
        assertThrows([0x04], .unsupportedMarker(0x04, name: "movieclip"))
        assertThrows([0x0E], .unsupportedMarker(0x0E, name: "recordset"))
        assertThrows([0x0F, 0, 0, 0, 0], .unsupportedMarker(0x0F, name: "XML document"))
        assertThrows([0x10], .unsupportedMarker(0x10, name: "typed object"))
        assertThrows([0x11, 0x06], .unsupportedMarker(0x11, name: "AVM+"))
        XCTAssertTrue(AMF0Error.unsupportedMarker(0x11, name: "AVM+").description.contains("AMF3"))
        // Found inside an object, too.
        assertThrows([0x03, 0x00, 0x01, 0x61, 0x11], .unsupportedMarker(0x11, name: "AVM+"))
    }

    func testNestingTooDeep() {
        var value = AMF0Value.null
        for _ in 0..<33 { value = .object([AMF0Property("o", value)]) }
        assertThrows(bytes(value), .nestingTooDeep(limit: 32))
        assertThrows(bytes(.strictArray([.strictArray([.ecmaArray([])])])), .nestingTooDeep(limit: 2), maxDepth: 2)
        XCTAssertEqual(try decodeOne(bytes(.strictArray([.strictArray([.null])])), maxDepth: 2),
                       .strictArray([.strictArray([.null])]))
        // A hostile run of object markers fails on depth, not on the stack.
        assertThrows(Array(repeating: 0x0A, count: 1) + [0, 0, 0, 1] + Array(repeating: [0x0A, 0, 0, 0, 1], count: 10_000).flatMap { $0 },
                     .nestingTooDeep(limit: 32))
    }

    func testInvalidReference() {
        assertThrows([0x07, 0x00, 0x00], .invalidReference(index: 0, known: 0))
        assertThrows(bytes(.object([])) + [0x07, 0x00, 0x01], .invalidReference(index: 1, known: 1))
        assertThrows([0x02, 0x00, 0x00, 0x07, 0xFF, 0xFF], .invalidReference(index: 65_535, known: 0))
    }

    func testInvalidUTF8() {
        assertThrows([0x02, 0x00, 0x02, 0xC3, 0x28], .invalidUTF8(what: "string"))
        assertThrows([0x0C, 0, 0, 0, 1, 0xFF], .invalidUTF8(what: "long string"))
        assertThrows([0x03, 0x00, 0x01, 0x80, 0x05, 0x00, 0x00, 0x09], .invalidUTF8(what: "property name"))
    }

    func testStrictArrayCountExceedingTheDataIsRejectedBeforeAllocating() {
        assertThrows([0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x05, 0x05, 0x05], .countExceedsData(count: 4_294_967_295, available: 3))
        assertThrows([0x0A, 0, 0, 0, 2, 0x05], .countExceedsData(count: 2, available: 1))
        // A count that fits the bytes but whose elements run out is a truncation.
        assertThrows([0x0A, 0, 0, 0, 2, 0x00, 0x3F], .truncated(needed: 8, available: 1, what: "number"))
    }

    func testTruncatedLengths() {
        assertThrows([0x0C, 0x00, 0x01, 0x11, 0x70] + Array(repeating: 0x41, count: 12),
                     .truncated(needed: 70_000, available: 12, what: "long string"))
        assertThrows([0x02, 0xFF], .truncated(needed: 2, available: 1, what: "string length"))
        assertThrows([0x0B, 0, 0, 0, 0, 0, 0, 0, 0, 0], .truncated(needed: 2, available: 1, what: "date time zone"))
        assertThrows([0x03, 0x00, 0x00], .truncated(needed: 1, available: 0, what: "object end marker"))
    }

    func testEmptyBuffer() throws {
        XCTAssertEqual(try decodeAll([]), [])
        XCTAssertThrowsError(try decodeOne([])) { error in
            XCTAssertEqual(error as? AMF0Error, .truncated(needed: 1, available: 0, what: "type marker"))
        }
    }

    func testErrorMessagesNameTheNumbers() {
        XCTAssertEqual(AMF0Error.truncated(needed: 70_000, available: 12, what: "long string").description,
                       "AMF0 long string of 70000 bytes exceeds the 12 bytes left in the message")
        XCTAssertEqual(AMF0Error.truncated(needed: 1, available: 0, what: "type marker").description,
                       "AMF0 type marker of 1 byte exceeds the 0 bytes left in the message")
        XCTAssertEqual(AMF0Error.unknownMarker(0x12).description, "Unknown AMF0 type marker 0x12")
        XCTAssertTrue(AMF0Error.invalidReference(index: 4, known: 2).description.contains("#4"))
        XCTAssertTrue(AMF0Error.nestingTooDeep(limit: 32).description.contains("32"))
        XCTAssertTrue(AMF0Error.countExceedsData(count: 1_000_000, available: 3).description.contains("1000000"))
    }

    // MARK: - Accessors

    func testAccessors() {
        let object = AMF0Value.object([AMF0Property("k", .number(2)), AMF0Property("k", .number(3))])
        XCTAssertEqual(object["k"], .number(2), "first property with the key wins")
        XCTAssertNil(object["missing"])
        XCTAssertEqual(AMF0Value.ecmaArray([AMF0Property("e", .boolean(false))])["e"]?.boolValue, false)
        XCTAssertNil(AMF0Value.string("s")["k"])
        XCTAssertNil(AMF0Value.strictArray([]).properties)
        XCTAssertEqual(object.properties?.count, 2)
        XCTAssertEqual(AMF0Value.string("s").stringValue, "s")
        XCTAssertNil(AMF0Value.string("s").numberValue)
        XCTAssertNil(AMF0Value.number(1).boolValue)
        XCTAssertNil(AMF0Value.boolean(true).stringValue)
    }
}
