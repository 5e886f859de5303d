/// Why a `.vital` file could not be read.
public enum VitalFileError: Error, Equatable, CustomStringConvertible {
    case notVital                 // no "VITA" signature (after gunzip)
    case truncatedHeader
    case truncatedPacket          // a packet shorter than its fields or its datalen
    case packetTooLarge(Int)
    case gzip(String)             // zlib reported a damaged stream

    public var description: String {
        switch self {
        case .notVital: "not a .vital file (no VITA signature)"
        case .truncatedHeader: "truncated .vital header"
        case .truncatedPacket: "truncated .vital packet"
        case .packetTooLarge(let length): ".vital packet of \(length) bytes (corrupt length)"
        case .gzip(let detail): "gzip error: \(detail)"
        }
    }
}
