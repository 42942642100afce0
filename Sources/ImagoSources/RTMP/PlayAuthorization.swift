/// Who may play a stream out over RTMP.
public enum PlayAuthorization: Sendable {
    /// Nobody: play-out is off.
    case refused
    /// Anyone who can reach the port (`--no-auth`, loopback only).
    case open
    /// Whoever presents a token `isAccepted` accepts (the API's read or read-write tokens) as `?token=` on
    /// the play name, the app or the tcUrl.
    case tokens(isAccepted: @Sendable (String) -> Bool)

    /// Nil when `token` may play; else why not, for the player.
    func refusal(of token: String?) -> String? {
        switch self {
        case .refused:
            return "RTMP play-out is off on this relay"
        case .open:
            return nil
        case .tokens(let isAccepted):
            guard let token, !token.isEmpty else {
                return "playing needs a read token: add ?token=TOKEN to the stream name (the API read token)"
            }
            return isAccepted(token) ? nil : "the token is not valid on this relay"
        }
    }
}
