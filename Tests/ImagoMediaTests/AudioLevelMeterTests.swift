import Foundation
@testable import ImagoMedia
import XCTest

final class AudioLevelMeterTests: XCTestCase {
    override func setUpWithError() throws {
        try FFmpegTool.requireTools()
        FFmpegLog.setLevel(.quiet)
    }

    /// 440 Hz at peak 0.1 (-20 dBFS): RMS is the peak -3 dB, -23 dBFS.
    private static let sineAtMinus20 = "aevalsrc=0.1*sin(2*PI*440*t):sample_rate=44100:channel_layout=stereo"
    private static let aac = ["-c:a", "aac", "-b:a", "128k"]

    /// Levels of every audio packet of `clip`, with the packet times.
    private func levels(_ clip: TestClip, codec: MediaCodec, extradata: [UInt8]? = nil) throws -> [(level: AudioLevel, nanoseconds: UInt64)] {
        let audio = try XCTUnwrap(clip.file.audio)
        let meter = try AudioLevelMeter(codec: codec, extradata: extradata ?? audio.extradata)
        return try audio.packets.compactMap { packet in
            try meter.measure(packet.data, ptsMilliseconds: packet.ptsMilliseconds)
                .map { ($0, UInt64(max(0, packet.ptsMilliseconds)) * 1_000_000) }
        }
    }

    /// Times (ms) at which an `AudioSilenceWatch` fed `levels` said silent.
    private func silentTimes(_ levels: [(level: AudioLevel, nanoseconds: UInt64)]) -> [Int64] {
        var watch = AudioSilenceWatch()
        return levels.compactMap { entry in
            watch.observe(entry.level, atNanoseconds: entry.nanoseconds)
            return watch.isSilent ? Int64(entry.nanoseconds / 1_000_000) : nil
        }
    }

    /// RMS over the middle of the clip (past the encoder's priming and before its tail).
    private func steadyRMS(_ levels: [(level: AudioLevel, nanoseconds: UInt64)]) -> Double {
        let middle = levels.dropFirst(levels.count / 4).dropLast(levels.count / 4)
        return middle.map(\.level.rmsDBFS).reduce(0, +) / Double(middle.count)
    }

    // MARK: Real encoded audio

    func testAACOfDigitalSilenceIsSilentAfterFiveSeconds() throws {
        let clip = try SignalClips.audio("silence-aac", source: "anullsrc=sample_rate=44100:channel_layout=stereo", codec: Self.aac)
        let levels = try levels(clip, codec: .aac)
        XCTAssertGreaterThan(levels.count, 300)
        XCTAssertEqual(levels.first?.level.channelCount, 2)
        XCTAssertEqual(levels.first?.level.sampleCount, 1024)
        XCTAssertTrue(levels.allSatisfy { $0.level.rmsDBFS == AudioLevel.floorDBFS && $0.level.rmsDBFS.isFinite })
        let silent = silentTimes(levels)
        let first = try XCTUnwrap(silent.first)
        XCTAssertEqual(Double(first), 5000, accuracy: 24, "silent from the first packet 5 s in")
        XCTAssertEqual(silent.count, levels.filter { $0.nanoseconds >= UInt64(first) * 1_000_000 }.count)
    }

    func testAACSineAtMinus20dBFSReadsMinus23RMSAndIsNotSilent() throws {
        let clip = try SignalClips.audio("sine-aac", source: Self.sineAtMinus20, codec: Self.aac)
        let levels = try levels(clip, codec: .aac)
        let rms = steadyRMS(levels)
        print("AAC sine at -20 dBFS peak: \(String(format: "%.2f", rms)) dBFS RMS")
        XCTAssertEqual(rms, -23, accuracy: 2)
        XCTAssertEqual(levels[levels.count / 2].level.peakDBFS, -20, accuracy: 2)
        XCTAssertEqual(silentTimes(levels), [])
    }

    func testAACAtMinus70dBFSIsSilent() throws {
        let clip = try SignalClips.audio("quiet-aac", source: Self.sineAtMinus20 + ",volume=-50dB", codec: Self.aac)
        let levels = try levels(clip, codec: .aac)
        let rms = steadyRMS(levels)
        print("AAC sine at -70 dBFS peak: \(String(format: "%.2f", rms)) dBFS RMS")
        XCTAssertEqual(rms, -73, accuracy: 3)
        XCTAssertEqual(Double(try XCTUnwrap(silentTimes(levels).first)), 5000, accuracy: 24)
    }

    func testMP3InFLVIsMeasured() throws {
        let clip = try SignalClips.audio("sine-mp3", source: Self.sineAtMinus20, codec: ["-c:a", "libmp3lame", "-b:a", "128k"], seconds: 3)
        let levels = try levels(clip, codec: .mp3)
        XCTAssertEqual(steadyRMS(levels), -23, accuracy: 2)
    }

    func testOpusIsMeasuredWithAndWithoutItsOpusHead() throws {
        let clip = try SignalClips.audio("sine-opus", source: Self.sineAtMinus20.replacingOccurrences(of: "44100", with: "48000"),
                                         codec: ["-c:a", "libopus", "-b:a", "96k"], container: "mp4", seconds: 3)
        XCTAssertEqual(try XCTUnwrap(clip.file.audio).extradata.prefix(8), Array("OpusHead".utf8)[...])
        XCTAssertEqual(steadyRMS(try levels(clip, codec: .opus)), -23, accuracy: 2)
        XCTAssertEqual(steadyRMS(try levels(clip, codec: .opus, extradata: [])), -23, accuracy: 2)
    }

    // MARK: Hostile input

    func testGarbagePacketsThrowOrMeasureAndTheMeterKeepsWorking() throws {
        let clip = try SignalClips.audio("sine-aac", source: Self.sineAtMinus20, codec: Self.aac)
        let audio = try XCTUnwrap(clip.file.audio)
        let meter = try AudioLevelMeter(codec: .aac, extradata: audio.extradata)
        var generator = SystemRandomNumberGenerator()
        var failures = 0
        for size in [1, 2, 3, 7, 100, 1000, 6000] {
            for _ in 0..<5 {
                let garbage = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
                do {
                    if let level = try meter.measure(garbage) {
                        XCTAssertTrue(level.rmsDBFS.isFinite && level.peakDBFS.isFinite)
                        XCTAssertLessThanOrEqual(level.peakDBFS, 0)
                    }
                } catch {
                    failures += 1
                    XCTAssertFalse(error.message.isEmpty)
                }
            }
        }
        XCTAssertGreaterThan(failures, 0)
        XCTAssertNil(try meter.measure([]))
        // Good packets measure as usual afterwards.
        let after = try audio.packets[100..<140].compactMap { try meter.measure($0.data) }
        XCTAssertGreaterThan(after.count, 30)
        XCTAssertEqual(after.last?.rmsDBFS ?? 0, -23, accuracy: 2)
    }

    func testBadConfigurationsAreMediaErrors() {
        XCTAssertThrowsError(try AudioLevelMeter(codec: .h264, extradata: [1, 2, 3]))
        XCTAssertThrowsError(try AudioLevelMeter(codec: .aac, extradata: []))
        XCTAssertThrowsError(try AudioLevelMeter(codec: .aac, extradata: [0x12]))
        // Object type 31 escape with nothing after it, sampling index 15 without a rate, 15 channels of nothing.
        for config: [UInt8] in [[0xff, 0xff], [0xf8, 0x00], [0x17, 0xf8, 0x00, 0x00]] {
            do {
                let meter = try AudioLevelMeter(codec: .aac, extradata: config)
                _ = try? meter.measure([0x21, 0x10, 0x05, 0x00, 0xa0, 0x19, 0x33])
            } catch {
                XCTAssertTrue(error.operation.contains("aac"), error.description)
            }
        }
    }

    // MARK: Sample arithmetic, every encoding

    private func level(_ bytes: [UInt8], _ encoding: SampleLevelAccumulator.Encoding) -> AudioLevel? {
        var accumulator = SampleLevelAccumulator()
        bytes.withUnsafeBytes { accumulator.add($0, encoding: encoding) }
        return accumulator.level(channelCount: 1)
    }

    private func bytes<T>(_ values: [T]) -> [UInt8] {
        values.withUnsafeBytes { Array($0) }
    }

    func testFullScaleSquareIsZeroDBFSInEveryEncoding() throws {
        let cases: [([UInt8], SampleLevelAccumulator.Encoding)] = [
            ([0, 255, 0, 255], .unsigned8),
            (bytes([Int16.min, Int16.max, Int16.min]), .signed16),
            (bytes([Int32.min, Int32.max]), .signed32),
            (bytes([Int64.min, Int64.max]), .signed64),
            (bytes([Float(-1), 1]), .float32),
            (bytes([-1.0, 1.0]), .float64),
        ]
        for (data, encoding) in cases {
            let level = try XCTUnwrap(level(data, encoding), "\(encoding)")
            XCTAssertEqual(level.rmsDBFS, 0, accuracy: 0.1, "\(encoding)")
            XCTAssertEqual(level.peakDBFS, 0, accuracy: 0.1, "\(encoding)")
        }
    }

    func testHalfScaleIsMinus6AndZerosAreTheFloor() throws {
        XCTAssertEqual(try XCTUnwrap(level(bytes([Int16(16384), -16384]), .signed16)).rmsDBFS, -6.02, accuracy: 0.01)
        XCTAssertEqual(try XCTUnwrap(level([128, 128, 128], .unsigned8)).rmsDBFS, AudioLevel.floorDBFS)
        XCTAssertEqual(try XCTUnwrap(level(bytes([Float](repeating: 0, count: 10)), .float32)).peakDBFS, AudioLevel.floorDBFS)
        XCTAssertEqual(try XCTUnwrap(level(bytes([Float(1e-9)]), .float32)).rmsDBFS, AudioLevel.floorDBFS)
    }

    func testNaNAndInfinityReadAsZeroAndOvershootClipsAtFullScale() throws {
        let nan = try XCTUnwrap(level(bytes([Float.nan, .nan, .infinity, -.infinity]), .float32))
        XCTAssertEqual(nan.rmsDBFS, AudioLevel.floorDBFS)
        let mixed = try XCTUnwrap(level(bytes([Double.nan, 0.5]), .float64))
        XCTAssertEqual(mixed.rmsDBFS, 20 * log10(0.5 / 2.0.squareRoot()), accuracy: 0.01)
        let overshoot = try XCTUnwrap(level(bytes([Float(40), -1e38, .greatestFiniteMagnitude]), .float32))
        XCTAssertEqual(overshoot.rmsDBFS, 0, accuracy: 1e-9)
        XCTAssertEqual(overshoot.peakDBFS, 0)
        let huge = try XCTUnwrap(level(bytes([Double.greatestFiniteMagnitude, -.greatestFiniteMagnitude]), .float64))
        XCTAssertEqual(huge.rmsDBFS, 0)
    }

    func testPartialSamplesAreIgnoredAndEmptyIsNil() {
        XCTAssertNil(level([], .signed16))
        XCTAssertNil(level([1], .signed16))
        XCTAssertNil(level([1, 2, 3], .float32))
        XCTAssertEqual(level([0, 0x40, 9], .signed16)?.sampleCount, 1)
    }

    func testSilenceWatchRules() {
        let second: UInt64 = 1_000_000_000
        var watch = AudioSilenceWatch()
        for tenth in 0..<50 {
            watch.observe(levelDBFS: -90, atNanoseconds: UInt64(tenth) * second / 10)
        }
        XCTAssertFalse(watch.isSilent)
        watch.observe(levelDBFS: -61, atNanoseconds: 5 * second)
        XCTAssertTrue(watch.isSilent)
        XCTAssertEqual(watch.silentSinceNanoseconds, 0)
        watch.observe(levelDBFS: -59, atNanoseconds: 6 * second)
        XCTAssertFalse(watch.isSilent)
        XCTAssertNil(watch.silentSinceNanoseconds)
        watch.observe(levelDBFS: .nan, atNanoseconds: 7 * second)
        watch.observe(levelDBFS: -.infinity, atNanoseconds: 12 * second)
        XCTAssertEqual(watch.silentSinceNanoseconds, 7 * second)
        watch.observe(levelDBFS: .infinity, atNanoseconds: 13 * second)
        XCTAssertFalse(watch.isSilent)
    }
}
