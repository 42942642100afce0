import ImagoCore
import XCTest

@testable import ImagoHTTP

final class APITokensTests: XCTestCase {
    func testEachTokenGetsItsOwnAccessAndAnyOtherNone() {
        let tokens = APITokens(readWrite: ["rw-token-0123456789"], read: ["ro-token-0123456789"])
        XCTAssertEqual(tokens.access(for: "rw-token-0123456789"), .readWrite)
        XCTAssertEqual(tokens.access(for: "ro-token-0123456789"), .read)
        XCTAssertNil(tokens.access(for: "rw-token-012345678"), "a prefix is not the token")
        XCTAssertNil(tokens.access(for: "rw-token-0123456789 "))
        XCTAssertNil(tokens.access(for: ""))
        XCTAssertEqual(APITokens.open.access(for: "anything"), .readWrite)
    }

    func testAUserChosenTokenMustBeLongAndURLSafe() {
        XCTAssertNil(APITokens.problem(with: "abcdefghijklmnop"))
        XCTAssertNotNil(APITokens.problem(with: "short"))
        XCTAssertNotNil(APITokens.problem(with: "has space in it 12345"))
        XCTAssertNotNil(APITokens.problem(with: "percent%encoded-0123456"))
        XCTAssertNotNil(APITokens.problem(with: String(repeating: "a", count: 257)))
    }

    func testGeneratedTokensAreMadeOnceKeptPrivateAndReadBack() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("imago-tokens-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try APITokens.loadOrCreate(in: directory)
        XCTAssertTrue(first.created)
        XCTAssertTrue(first.readWrite.hasPrefix("imago_rw_"))
        XCTAssertTrue(first.read.hasPrefix("imago_ro_"))
        XCTAssertNotEqual(first.readWrite, first.read)
        let mode = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("api-token").path)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
        let second = try APITokens.loadOrCreate(in: directory)
        XCTAssertFalse(second.created)
        XCTAssertEqual(second.readWrite, first.readWrite)
        XCTAssertEqual(second.read, first.read)
        try Data("bad token with spaces\n".utf8).write(to: directory.appendingPathComponent("api-token"))
        XCTAssertThrowsError(try APITokens.loadOrCreate(in: directory)) { error in
            XCTAssertTrue("\(error)".contains("delete the file to generate a new one"), "\(error)")
        }
    }

    func testANonLoopbackAPIWithoutTokensIsRefused() {
        var configuration = APIConfiguration()
        configuration.host = "0.0.0.0"
        XCTAssertNotNil(configuration.problem)
        XCTAssertTrue(configuration.problem?.contains("--token") ?? false)
        configuration.tokens = APITokens(readWrite: ["rw-token-0123456789"], read: [])
        XCTAssertNil(configuration.problem)
        configuration.host = "127.0.0.1"
        configuration.tokens = .open
        XCTAssertNil(configuration.problem, "no token on loopback is the user's choice (--no-auth)")
        configuration.tlsCertificatePath = "cert.pem"
        XCTAssertTrue(configuration.problem?.contains("--tls-key") ?? false)
    }
}

final class StreamPublicIDTests: XCTestCase {
    func testTheIDHidesTheKeyIsStableAndDiffersPerSecret() {
        let name = StreamName(app: "live", key: "secret-key-0123456789")
        let ids = StreamPublicID(secret: "first-secret-0123456789")
        let id = ids.id(of: name)
        XCTAssertTrue(id.hasPrefix("live-"))
        XCTAssertEqual(id.count, "live-".count + 12)
        XCTAssertFalse(id.contains("secret"))
        XCTAssertEqual(ids.id(of: name), id, "stable")
        XCTAssertEqual(ids.id(ofStream: "live/secret-key-0123456789"), id, "the same from the stored app/key text")
        XCTAssertNotEqual(StreamPublicID(secret: "other-secret-0123456789").id(of: name), id)
        XCTAssertNotEqual(ids.id(of: StreamName(app: "live", key: "secret-key-0123456780")), id)
        XCTAssertTrue(ids.id(of: StreamName(app: "a bü", key: "k")).hasPrefix("a_b_-"), "URL-safe app part")
    }
}

final class ImageRequestTests: XCTestCase {
    func testTheSizeKeepsTheAspectRatioAndNeverUpscales() {
        XCTAssertTrue(ImageRequest(format: .jpg).size(sourceWidth: 1280, sourceHeight: 720) == (1280, 720))
        XCTAssertTrue(ImageRequest(format: .jpg, width: 640).size(sourceWidth: 1280, sourceHeight: 720) == (640, 360))
        XCTAssertTrue(ImageRequest(format: .jpg, height: 180).size(sourceWidth: 1280, sourceHeight: 720) == (320, 180))
        XCTAssertTrue(ImageRequest(format: .jpg, width: 4000).size(sourceWidth: 1280, sourceHeight: 720) == (1280, 720))
        XCTAssertTrue(ImageRequest(format: .raw, width: 100, height: 100).size(sourceWidth: 1280, sourceHeight: 720) == (100, 100))
    }
}

final class AnnotationInputTests: XCTestCase {
    func testAWellFormedAnnotationBecomesAnEvent() throws {
        let input = try AnnotationInput.parse(Data(#"{"type":"detection","start":1.5,"end":2,"label":"cat","confidence":0.5,"boxes":[{"x":1,"y":2,"width":10,"height":20}],"data":{"a":[1,true,null]}}"#.utf8))
        let event = input.event(stream: "live/key", runID: "run", sourceWidth: 640, sourceHeight: 360)
        XCTAssertEqual(event.kind, .annotation)
        XCTAssertEqual(event.ptsMilliseconds, 1500)
        XCTAssertEqual(event.annotation?.endMilliseconds, 2000)
        XCTAssertEqual(event.boxes.first?.left, 1)
        XCTAssertEqual(event.boxes.first?.bottom, 21)
        XCTAssertEqual(event.annotation?.data, #"{"a":[1,true,null]}"#)
    }

    func testEveryBadFieldIsNamed() {
        let cases: [(String, String)] = [
            (#"{"start":1}"#, "'type' is missing"),
            (#"{"type":"x"}"#, "'start' is missing"),
            (#"{"type":"","start":1}"#, "'type' must be"),
            (#"{"type":"x","start":1,"end":0}"#, "'end'"),
            (#"{"type":"x","start":1,"confidence":-1}"#, "'confidence'"),
            (#"{"type":"x","start":1,"boxes":[{"x":1,"y":1,"width":-5,"height":1}]}"#, "box"),
            (#"{"type":"x","start":"1"}"#, "'start' has the wrong type"),
            ("[1,2]", "wrong type"),
        ]
        for (body, expected) in cases {
            XCTAssertThrowsError(try AnnotationInput.parse(Data(body.utf8)), body) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(body): \(error)")
            }
        }
    }
}

final class HistoryJobsTests: XCTestCase {
    func testOneMoreThanTheLimitIsBusyUntilAJobEnds() throws {
        let jobs = HistoryJobs(limit: 2)
        let first = try jobs.claim()
        _ = try jobs.claim()
        XCTAssertThrowsError(try jobs.claim()) { error in
            XCTAssertEqual(error as? APIError, .busy(limit: 2))
            XCTAssertEqual((error as? APIError)?.status, .serviceUnavailable)
        }
        first.release()
        XCTAssertNoThrow(try jobs.claim())
    }
}
