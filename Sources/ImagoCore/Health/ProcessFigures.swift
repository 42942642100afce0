import Foundation

/// What a process holds right now, read from /proc: what `imago bench soak` and the hardening tests bound.
public struct ProcessFigures: Sendable, CustomStringConvertible {
    public let residentBytes: Int
    public let threads: Int
    public let openFiles: Int

    public init(residentBytes: Int, threads: Int, openFiles: Int) {
        self.residentBytes = residentBytes
        self.threads = threads
        self.openFiles = openFiles
    }

    /// Figures of process `pid` (this process by default); nil when it is gone.
    public static func read(pid: Int32 = getpid()) -> ProcessFigures? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        func field(_ name: String) -> Int? {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return nil }
            // "Threads:\t12", "VmRSS:\t   86400 kB": the value is the first field after the name.
            return line.split(whereSeparator: \.isWhitespace).dropFirst().first.flatMap { Int($0) }
        }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0
        return ProcessFigures(residentBytes: (field("VmRSS") ?? 0) * 1024, threads: field("Threads") ?? 0, openFiles: files)
    }

    public var description: String {
        String(format: "RSS %.1f MB, %d threads, %d open files", Double(residentBytes) / 1_048_576, threads, openFiles)
    }
}
