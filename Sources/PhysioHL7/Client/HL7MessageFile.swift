/// Splits a file of HL7 v2 messages into messages: MLLP-framed (as
/// captured off the wire) or plain text, where each message begins at a
/// line starting with `MSH` and segments end with CR, LF or CR LF (as
/// editors and vendors' documents leave them). Each message comes back
/// with its segments ended by CR, as HL7 sends them.
public enum HL7MessageFile {
    public static func messages(in bytes: [UInt8]) -> [[UInt8]] {
        if bytes.contains(MLLPFramer.startBlock) {
            var framer = MLLPFramer(maxMessageBytes: max(1, bytes.count))
            return (framer.append(bytes) + framer.endPending()).compactMap { frame in
                guard case .message(let message) = frame else { return nil }
                return normalised(message)
            }.filter { !$0.isEmpty }
        }
        var messages: [[UInt8]] = []
        var current: [UInt8] = []
        for line in lines(bytes) {
            if line.starts(with: Array("MSH".utf8)) && !current.isEmpty {
                messages.append(current)
                current = []
            }
            // Text before the first MSH (a comment, a title) is not a message.
            guard !current.isEmpty || line.starts(with: Array("MSH".utf8)) else { continue }
            current.append(contentsOf: line)
            current.append(0x0D)
        }
        if !current.isEmpty { messages.append(current) }
        return messages
    }

    /// Segments ended by CR, blank lines dropped.
    static func normalised(_ message: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        for line in lines(message) {
            out.append(contentsOf: line)
            out.append(0x0D)
        }
        return out
    }

    static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        bytes.split(omittingEmptySubsequences: true) { $0 == 0x0D || $0 == 0x0A }
            .filter { line in !line.allSatisfy { $0 == 0x20 || $0 == 0x09 } }
    }
}
