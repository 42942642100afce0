import Foundation

/// A file SwiftPM copied into a target's resource bundle (`imago_<Target>.resources`, next to the
/// binary), found without `Bundle.module`, whose generated accessor traps when the bundle is missing
/// (a binary copied elsewhere without its bundles): a missing file here is nil, which callers turn
/// into an error that says so.
public enum BundledResource {
    public static func url(target: String, path: String) -> URL? {
        let bundle = "imago_\(target).resources"
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let candidates = [executable, Bundle.main.bundleURL, Bundle.main.resourceURL].compactMap { $0 }
            .map { $0.appendingPathComponent(bundle).appendingPathComponent(path) }
        return candidates.first { FileManager.default.fileExists(atPath: $0.path) }
    }
}
