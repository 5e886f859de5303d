/// Cuts a byte stream into MLLP frames (HL7 v2 Minimal Lower Layer
/// Protocol, release 2): a start block 0x0B, the message, an end block
/// 0x1C and a carriage return 0x0D.
///
/// Bytes between frames (line breaks, keep-alive noise) are skipped; a
/// `strict` framer (the listener's) takes only line breaks and spaces there
/// and stops at anything else (`isRefused`): a peer that speaks another
/// protocol is not MLLP, and a browser's HTTP request to the port must not
/// have a frame in its body read as a message. A
/// frame ends at 0x1C followed by the CR the standard asks for (or by the
/// next start block); HL7 text cannot hold 0x1C. An 0x1C followed by any
/// other byte is inside the message: the frame reads on to its real end and
/// is handed on as `broken`, never cut there into a shorter message that
/// parses. An 0x1C that is the last byte so far waits for the next byte, so
/// the frames do not depend on where the sender's writes cut the stream;
/// `endPending()` ends such a frame when no byte is coming (the peer closed,
/// or a sender that omits the CR has waited: the listener gives it a
/// moment). A start block inside a frame abandons the partial
/// frame (the sender started over). A frame longer than `maxMessageBytes`
/// is read to its end without being kept: its first bytes are handed on so
/// that the answer can name the message.
public struct MLLPFramer: Sendable {
    public enum Frame: Sendable, Equatable {
        case message([UInt8])
        /// A frame over the limit: its first `prefixBytes` bytes and its length.
        case oversized(prefix: [UInt8], length: Int)
        /// A frame holding 0x1C inside it: its first `prefixBytes` bytes and where the 0x1C was.
        case broken(prefix: [UInt8], endBlockAt: Int)
    }

    public static let startBlock: UInt8 = 0x0B
    public static let endBlock: UInt8 = 0x1C
    public static let carriageReturn: UInt8 = 0x0D
    /// How much of an oversized frame is kept to read its header from.
    public static let prefixBytes = 4096

    public let maxMessageBytes: Int
    public let strict: Bool
    /// A strict framer met a byte outside frames that is no line break or space: it reads no more.
    public private(set) var isRefused = false
    private var buffer: [UInt8] = []
    private var inFrame = false
    private var frameLength = 0
    /// Where an end block inside the current frame was (nil: none).
    private var strayEndBlock: Int?
    /// The current frame's last byte so far is an end block: the next byte says whether it ends the frame.
    public private(set) var endsPending = false
    /// Partial frames abandoned for a new start block, and bytes outside frames.
    public private(set) var abandonedFrames = 0
    public private(set) var strayBytes = 0

    public init(maxMessageBytes: Int, strict: Bool = false) {
        self.maxMessageBytes = max(1, maxMessageBytes)
        self.strict = strict
    }

    /// True while part of a frame has arrived and its end has not.
    public var isInsideFrame: Bool { inFrame }

    /// Feeds bytes; returns the frames they complete, in order.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) -> [Frame] {
        var frames: [Frame] = []
        var index = 0
        let count = bytes.count
        if endsPending, count > 0 {
            endsPending = false
            if let frame = endBlock(followedBy: bytes[0]) { frames.append(frame) }
        }
        while index < count && !isRefused {
            if !inFrame {
                // Skip to the next start block.
                while index < count && bytes[index] != Self.startBlock {
                    let byte = bytes[index]
                    if byte != Self.carriageReturn && byte != 0x0A && byte != 0x20 {
                        strayBytes += 1
                        if strict { isRefused = true; return frames }
                    }
                    index += 1
                }
                guard index < count else { break }
                index += 1
                inFrame = true
                frameLength = 0
                strayEndBlock = nil
                buffer.removeAll(keepingCapacity: buffer.capacity <= 65536)
                continue
            }
            // Inside a frame: up to the end block (or a new start block).
            var end = index
            while end < count && bytes[end] != Self.endBlock && bytes[end] != Self.startBlock { end += 1 }
            keep(bytes, index..<end)
            index = end
            guard index < count else { break }
            if bytes[index] == Self.startBlock {
                abandonedFrames += 1
                inFrame = false  // the loop takes the start block again
                continue
            }
            index += 1  // the end block
            guard index < count else { endsPending = true; break }
            // The CR after a frame is skipped as a byte between frames.
            if let frame = endBlock(followedBy: bytes[index]) { frames.append(frame) }
        }
        return frames
    }

    /// Ends a frame whose last byte is an end block without its CR: no more
    /// bytes are coming (the peer closed), or have come for a while.
    public mutating func endPending() -> [Frame] {
        guard endsPending else { return [] }
        endsPending = false
        return [finishFrame()]
    }

    /// An end block followed by CR or a start block ends the frame. Followed
    /// by anything else it is a byte the message should not hold: kept, and
    /// the frame read on to its real end.
    private mutating func endBlock(followedBy next: UInt8) -> Frame? {
        if next == Self.carriageReturn || next == Self.startBlock { return finishFrame() }
        if strayEndBlock == nil { strayEndBlock = frameLength }
        withUnsafeBytes(of: Self.endBlock) { keep($0, 0..<1) }
        return nil
    }

    private mutating func finishFrame() -> Frame {
        inFrame = false
        defer { buffer.removeAll(keepingCapacity: buffer.capacity <= 65536) }
        if frameLength > maxMessageBytes {
            return .oversized(prefix: Array(buffer.prefix(Self.prefixBytes)), length: frameLength)
        }
        if let at = strayEndBlock { return .broken(prefix: Array(buffer.prefix(Self.prefixBytes)), endBlockAt: at) }
        return .message(buffer)
    }

    /// Convenience for tests and tools.
    public mutating func append(_ bytes: [UInt8]) -> [Frame] {
        bytes.withUnsafeBytes { append($0) }
    }

    private mutating func keep(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) {
        guard !range.isEmpty else { return }
        // The frame's first bytes, the same wherever the sender's writes cut
        // the stream: enough for a whole message or an oversized one's prefix.
        let room = max(maxMessageBytes + 1, Self.prefixBytes) - buffer.count
        if room > 0 {
            let kept = range.lowerBound..<min(range.upperBound, range.lowerBound + room)
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[kept]))
        }
        frameLength += range.count
    }

    /// One message framed for sending.
    public static func frame(_ message: [UInt8]) -> [UInt8] {
        [startBlock] + message + [endBlock, carriageReturn]
    }
}
