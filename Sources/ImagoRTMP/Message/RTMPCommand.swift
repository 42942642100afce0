/// An AMF0 command message: a name, a transaction id, a command object and arguments.
public struct RTMPCommand: Sendable, Equatable {
    public var name: String
    /// 0 means the sender expects no reply (GStreamer's rtmp2sink uses 0 for most commands).
    public var transactionID: Double
    public var commandObject: AMF0Value
    public var arguments: [AMF0Value]

    public init(name: String, transactionID: Double, commandObject: AMF0Value = .null, arguments: [AMF0Value] = []) {
        self.name = name
        self.transactionID = transactionID
        self.commandObject = commandObject
        self.arguments = arguments
    }

    init(values: [AMF0Value]) throws(RTMPError) {
        guard case .string(let name)? = values.first else {
            throw .malformedCommand("a command must start with its name as an AMF0 string, found \(values.first.map { "\($0)" } ?? "nothing")")
        }
        guard values.count >= 2, case .number(let transactionID) = values[1] else {
            throw .malformedCommand("command '\(name)' has no numeric transaction id")
        }
        self.name = name
        self.transactionID = transactionID
        self.commandObject = values.count > 2 ? values[2] : .null
        self.arguments = Array(values.dropFirst(3))
    }

    var values: [AMF0Value] {
        [.string(name), .number(transactionID), commandObject] + arguments
    }
}
