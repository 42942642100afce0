extension AMF0Value {
    /// About how many bytes this value holds in memory once decoded: what a stream's history counts
    /// for a data message, whose decoded form can be several times its wire size (a number is 9 bytes on
    /// the wire and an enum case plus array slot in memory).
    public var estimatedMemoryBytes: Int {
        let caseBytes = 40
        switch self {
        case .string(let text):
            return caseBytes + text.utf8.count
        case .object(let properties), .ecmaArray(let properties):
            return properties.reduce(caseBytes) { $0 + caseBytes + $1.key.utf8.count + $1.value.estimatedMemoryBytes }
        case .strictArray(let values):
            return values.reduce(caseBytes) { $0 + $1.estimatedMemoryBytes }
        case .number, .boolean, .null, .undefined, .reference, .date:
            return caseBytes
        }
    }
}
