import PhysioHTTP
import PhysioPlatform

/// The bytes of one export between the thread that reads them from
/// PostgreSQL and the HTTP thread that sends them. Bounded: the reading
/// thread waits when the client is slow (so PostgreSQL waits too), and the
/// HTTP thread never waits for the database: with nothing to send, the
/// connection is suspended until there is.
final class ExportPipe: ResponseStream, @unchecked Sendable {
    /// What a slow client leaves buffered here at most.
    static let capacity = 256 << 10

    private let state = ConditionLock()
    private let waker = StreamWaker()
    private var buffer: [UInt8] = []
    private var offset = 0
    private var ended = false
    private var failed = false
    /// The client went away (or the server is stopping): the writer stops.
    private var closed = false
    private var readerWaiting = false

    init() { buffer.reserveCapacity(Self.capacity) }

    // MARK: - the export thread

    /// Appends `bytes`, first waiting while the pipe is full. False once the
    /// client has gone or the export was cut: stop reading the COPY.
    func write(_ bytes: [UInt8]) -> Bool {
        let (accepted, wake): (Bool, Bool) = state.withLock {
            while !closed && !ended && buffer.count - offset >= Self.capacity { state.wait() }
            guard !closed && !ended else { return (false, false) }
            if offset > 0 {
                buffer.removeFirst(offset)
                offset = 0
            }
            buffer.append(contentsOf: bytes)
            defer { readerWaiting = false }
            return (true, readerWaiting)
        }
        if wake { waker.wake() }
        return accepted
    }

    /// The COPY is done: what is buffered is the rest.
    func finish() { end(failing: false) }

    /// The COPY failed mid-way: the response ends with an error (the client
    /// sees a truncated chunked body, not a complete-looking file).
    func fail() { end(failing: true) }

    /// The export must stop now (its token was revoked): what is buffered
    /// is dropped, and the response ends with an error.
    func cut() { end(failing: true, dropping: true) }

    private func end(failing: Bool, dropping: Bool = false) {
        let wake: Bool = state.withLock {
            guard !ended else { return false }   // a cut export stays cut, whatever the writer says after
            if dropping {
                buffer.removeAll(keepingCapacity: false)
                offset = 0
                state.broadcast()   // a writer waiting for room stops
            }
            ended = true
            failed = failing
            defer { readerWaiting = false }
            return readerWaiting
        }
        if wake { waker.wake() }
    }

    // MARK: - the HTTP thread (ResponseStream)

    func read(into destination: UnsafeMutableRawBufferPointer) -> StreamRead {
        state.withLock {
            let available = buffer.count - offset
            guard available > 0 else {
                if ended { return failed ? .failed : .end }
                readerWaiting = true
                return .wait(waker)
            }
            let count = min(available, destination.count)
            buffer.withUnsafeBytes { source in
                destination.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: count)
            }
            offset += count
            if offset == buffer.count {
                buffer.removeAll(keepingCapacity: true)
                offset = 0
            }
            // Room again: the writer may go on.
            state.signal()
            return .bytes(count)
        }
    }

    func close() {
        state.withLock {
            closed = true
            state.broadcast()
        }
    }
}
