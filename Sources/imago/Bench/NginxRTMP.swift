import Foundation

/// Debian's nginx with libnginx-mod-rtmp (`live on`) on a loopback port, one process (no master, no
/// daemon), the reference relay of `imago bench join` and `imago bench capacity`.
final class NginxRTMP {
    static let binary = "/usr/sbin/nginx"
    static let rtmpModule = "/usr/lib/nginx/modules/ngx_rtmp_module.so"

    static var installed: Bool {
        FileManager.default.isExecutableFile(atPath: binary) && FileManager.default.fileExists(atPath: rtmpModule)
    }

    let port: Int
    private let process = Process()

    var pid: Int32 { process.processIdentifier }

    /// Starts nginx with a configuration of its own under `scratch` and waits until it listens.
    init(scratch: URL) async throws {
        port = try RenderBenchmark.freePort()
        let prefix = scratch.appendingPathComponent("nginx-\(port)")
        try FileManager.default.createDirectory(at: prefix.appendingPathComponent("logs"), withIntermediateDirectories: true)
        let configuration = prefix.appendingPathComponent("nginx.conf")
        try """
            load_module \(Self.rtmpModule);
            daemon off;
            master_process off;
            worker_processes 1;
            error_log \(prefix.path)/logs/error.log warn;
            pid \(prefix.path)/nginx.pid;
            events { worker_connections 4096; }
            rtmp { server { listen 127.0.0.1:\(port); application live { live on; } } }

            """.write(to: configuration, atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["-p", prefix.path, "-e", "\(prefix.path)/logs/error.log", "-c", configuration.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<100 where !Self.listening(port: port) { try await Task.sleep(for: .milliseconds(50)) }
        guard process.isRunning, Self.listening(port: port) else {
            let log = (try? String(contentsOf: prefix.appendingPathComponent("logs/error.log"), encoding: .utf8)) ?? ""
            stop()
            throw BenchmarkError.relayFailed("nginx-rtmp did not start: \(log.suffix(400))")
        }
    }

    /// SIGKILL: nginx without a master process sits out SIGTERM while a connection is open.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }

    private static func listening(port: Int) -> Bool {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
