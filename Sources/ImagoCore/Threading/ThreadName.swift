import Foundation

/// Names the calling thread as `top -H`, `ps -L` and perf show it (Linux keeps 15 bytes). Foundation's
/// `Thread.name` does not reach the kernel on Linux, so worker threads otherwise inherit the name of the
/// dispatch thread that started them. Best effort: elsewhere, or if /proc is missing, nothing happens.
public enum ThreadName {
    public static func set(_ name: String) {
        let bytes = Data(name.utf8.prefix(15))
        try? bytes.write(to: URL(fileURLWithPath: "/proc/thread-self/comm"))
    }
}
