import CZlib

/// Inflates a gzip or deflate request body as its bytes arrive, and stops
/// at `limit` inflated bytes: a decompression bomb costs the limit, not
/// what it would inflate to.
final class BodyInflater {
    enum Failure: Error {
        case tooLarge
        case malformed(String)
    }

    private let coding: BodyFraming.Coding
    private var stream = z_stream()
    private var started = false
    private var ended = false
    /// The first bytes of a deflate body, until there are two to tell zlib's wrapper from raw deflate.
    private var head: [UInt8] = []
    private var scratch = [UInt8](repeating: 0, count: 64 << 10)

    init(coding: BodyFraming.Coding) {
        self.coding = coding
    }

    deinit { if started { inflateEnd(&stream) } }

    /// Inflates `input`, appending to `output`; throws `.tooLarge` once the
    /// body would pass `limit` bytes.
    func feed(_ input: UnsafeBufferPointer<UInt8>, into output: inout [UInt8], limit: Int) throws(Failure) {
        guard !input.isEmpty else { return }
        if !started {
            head.append(contentsOf: input)
            guard coding == .gzip || head.count >= 2 else { return }
            try start()
            let buffered = head
            head = []
            try buffered.withUnsafeBufferPointer { buffer throws(Failure) in try inflate(buffer, into: &output, limit: limit) }
            return
        }
        try inflate(input, into: &output, limit: limit)
    }

    /// The body is complete: it must have held a whole compressed stream.
    func finish() throws(Failure) {
        if !started && !head.isEmpty { throw .malformed("the \(coding) body ended early") }
        guard started, ended else { throw .malformed("the \(coding) body ended early") }
    }

    private func start() throws(Failure) {
        let windowBits: Int32
        switch coding {
        case .gzip:
            windowBits = 15 + 32   // gzip (or zlib), detected from the header
        case .deflate:
            // RFC 9110's deflate is zlib's format (RFC 1950); some clients
            // send raw deflate (RFC 1951). A zlib header is a multiple of 31.
            let header = Int(head[0]) << 8 | Int(head[1])
            windowBits = head[0] & 0x0F == 8 && header % 31 == 0 ? 15 : -15
        case .identity:
            windowBits = 15
        }
        guard inflateInit2_(&stream, windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .malformed("cannot start inflating")
        }
        started = true
    }

    private func inflate(_ input: UnsafeBufferPointer<UInt8>, into output: inout [UInt8], limit: Int) throws(Failure) {
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
        stream.avail_in = UInt32(input.count)
        while true {
            if ended {
                guard stream.avail_in > 0 else { return }
                // Another gzip member may follow (RFC 1952 allows several); anything else is junk.
                guard coding == .gzip else { throw .malformed("data after the end of the \(coding) stream") }
                inflateReset(&stream)
                ended = false
            }
            var status: Int32 = Z_OK
            let produced = scratch.withUnsafeMutableBufferPointer { out -> Int in
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(out.count)
                status = CZlib.inflate(&stream, Z_NO_FLUSH)
                return out.count - Int(stream.avail_out)
            }
            if output.count + produced > limit { throw .tooLarge }
            output.append(contentsOf: scratch[0..<produced])
            switch status {
            case Z_STREAM_END:
                ended = true
            case Z_OK, Z_BUF_ERROR:
                // Done with this input unless zlib filled the scratch buffer and has more.
                if stream.avail_in == 0 && stream.avail_out > 0 { return }
            default:
                throw .malformed(stream.msg.map { String(cString: $0) } ?? "inflate failed (\(status))")
            }
        }
    }
}
