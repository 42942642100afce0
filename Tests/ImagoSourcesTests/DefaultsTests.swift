import ImagoConfig
import ImagoMedia
import ImagoRTMP
import XCTest


/// The libraries below ImagoConfig (ImagoRTMP, ImagoMedia) cannot read its defaults; their own must be the same numbers.
final class DefaultsTests: XCTestCase {
    func testTheLowerLibrariesDefaultsAreTheSettingsDefaults() {
        let settings = ImagoSettings.defaults
        XCTAssertEqual(RTMPLimits.default.maxConnections, settings.relay.maxConnections)
        XCTAssertEqual(RTMPLimits.default.maxConnectionsPerAddress, settings.relay.maxConnectionsPerAddress)
        XCTAssertEqual(PictureWatch.Settings.default.freezeSeconds, settings.health.freezeSeconds)
        XCTAssertEqual(PictureWatch.Settings.default.blackLuma, settings.health.blackLuma)
        XCTAssertEqual(PictureWatch.Settings.default.blackSeconds, settings.health.blackSeconds)
        XCTAssertEqual(AudioSilenceWatch.Settings.default.silenceDB, settings.health.silenceDBFS)
        XCTAssertEqual(AudioSilenceWatch.Settings.default.silenceSeconds, settings.health.silenceSeconds)
    }
}
