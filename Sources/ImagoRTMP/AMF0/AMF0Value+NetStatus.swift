extension AMF0Value {
    /// The info object of an `onStatus` (`NetStream.Publish.Start`, `NetStream.Play.UnpublishNotify`…),
    /// the same for publishers and players.
    public static func netStatus(_ code: String, level: String = "status", description: String) -> AMF0Value {
        .object([
            AMF0Property("level", .string(level)),
            AMF0Property("code", .string(code)),
            AMF0Property("description", .string(description)),
        ])
    }
}
