import CFFmpeg

/// libav's process-wide log level (av_log_set_level). FFmpeg writes its log to stderr, which scribbles over a
/// full-screen terminal UI: such a program should call `FFmpegLog.setLevel(.quiet)` once at start-up.
/// ImagoMedia reports every failure through `MediaError`, so nothing is lost by silencing the log.
public enum FFmpegLog {
    public enum Level: Sendable, Equatable {
        case quiet, error, warning, info, debug

        var rawLevel: Int32 {
            switch self {
            case .quiet: AV_LOG_QUIET
            case .error: AV_LOG_ERROR
            case .warning: AV_LOG_WARNING
            case .info: AV_LOG_INFO
            case .debug: AV_LOG_DEBUG
            }
        }
    }

    public static func setLevel(_ level: Level) {
        av_log_set_level(level.rawLevel)
    }
}
