import CEpoll
import PhysioPlatform
#if canImport(Glibc)
import Glibc
#endif

/// One thread's epoll loop: accepts from the shared listening socket, reads
/// frames, hands them to the handler, writes answers in order. Nothing in
/// it waits for anything but epoll, so a slow or silent sender costs a
/// socket and a buffer, never a thread.
final class MLLPEventLoop: @unchecked Sendable {
    private let server: MLLPServer
    private let epoll: Int32
    /// A pipe other threads write to when an answer is ready.
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private var connections: [Int32: MLLPConnection] = [:]
    private let ready = Locked<(connections: [MLLPConnection], signalled: Bool)>(([], false))
    private var listening: Int32 = -1
    private var stopping = false
    private var stopDeadline: UInt64 = 0
    private let stopRequested = Locked(false)
    private var readBuffer = [UInt8](repeating: 0, count: 65536)

    private static let readable = physio_epoll_in
    private static let writable = physio_epoll_out
    private static let hangUp = physio_epoll_rdhup

    init(server: MLLPServer, listening: Int32) throws {
        self.server = server
        epoll = physio_epoll_create()
        var ends: [Int32] = [0, 0]
        guard epoll >= 0, physio_pipe_nonblocking(&ends) == 0 else {
            throw MLLPServerError.startFailed("epoll: \(String(cString: strerror(errno)))")
        }
        wakeRead = ends[0]
        wakeWrite = ends[1]
        self.listening = listening
        add(wakeRead, events: Self.readable)
        // Each loop waits on the one listening socket; EPOLLEXCLUSIVE wakes one of them per connection.
        add(listening, events: Self.readable | physio_epoll_exclusive)
    }

    deinit {
        Glibc.close(epoll)
        Glibc.close(wakeRead)
        Glibc.close(wakeWrite)
    }

    /// Any thread: `connection` has an answer ready.
    func wake(_ connection: MLLPConnection) {
        let signal = ready.withLock { state -> Bool in
            state.connections.append(connection)
            defer { state.signalled = true }
            return !state.signalled
        }
        if signal { signalLoop() }
    }

    /// Any thread: stop accepting, finish what is owed, then return from `run`.
    func requestStop() {
        stopRequested.withLock { $0 = true }
        signalLoop()
    }

    private func signalLoop() {
        var byte: UInt8 = 1
        _ = Glibc.write(wakeWrite, &byte, 1)
    }

    func run() {
        var descriptors = [Int32](repeating: 0, count: 256)
        var events = [UInt32](repeating: 0, count: 256)
        var lastSweep = Clock.monotonicNanos()
        while true {
            let count = physio_epoll_wait(epoll, &descriptors, &events, 256, 250)
            let now = Clock.monotonicNanos()
            if count > 0 {
                for index in 0..<Int(count) {
                    let descriptor = descriptors[index]
                    let flags = events[index]
                    if descriptor == wakeRead {
                        drainWakeups()
                    } else if descriptor == listening {
                        acceptAll(now: now)
                    } else if let connection = connections[descriptor] {
                        service(connection, flags: flags, now: now)
                    }
                }
            }
            if !stopping && stopRequested.value { beginStop(now: now) }
            if now - lastSweep >= 250_000_000 || stopping {
                sweep(now: now)
                lastSweep = now
            }
            if stopping && (connections.isEmpty || now >= stopDeadline) { break }
        }
        for connection in Array(connections.values) { close(connection, reason: nil) }
    }

    // MARK: - accepting

    private func acceptAll(now: UInt64) {
        while true {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let descriptor = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    physio_accept_nonblocking(listening, $0, &length)
                }
            }
            if descriptor < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                if errno == EMFILE || errno == ENFILE { Log.warning("MLLP: out of file descriptors; not accepting for now") }
                return  // EAGAIN: another loop took it, or none left
            }
            let client = Self.address(storage)
            guard server.admit(client: client) else {
                Glibc.close(descriptor)
                continue
            }
            var one: Int32 = 1
            setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let transport: MLLPTransport
            do {
                transport = try server.makeTransport(descriptor: descriptor, client: client)
            } catch {
                Glibc.close(descriptor)
                server.release(client: client)
                continue
            }
            let connection = MLLPConnection(descriptor: descriptor, client: client, transport: transport, loop: self,
                                            maxMessageBytes: server.configuration.maxMessageBytes, now: now)
            connections[descriptor] = connection
            add(descriptor, events: 0)
            updateInterest(connection)
            // A TLS handshake starts with the client's hello; plain bytes may already be here.
            service(connection, flags: Self.readable, now: now)
        }
    }

    static func address(_ storage: sockaddr_storage) -> String {
        var storage = storage
        let family = Int32(storage.ss_family)
        var text = [UInt8](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let written: Bool = withUnsafePointer(to: &storage) { pointer in
            text.withUnsafeMutableBufferPointer { buffer in
                buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { out in
                    if family == AF_INET6 {
                        return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                            var bytes = address.pointee.sin6_addr
                            return inet_ntop(AF_INET6, &bytes, out, socklen_t(buffer.count)) != nil
                        }
                    }
                    return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                        var bytes = address.pointee.sin_addr
                        return inet_ntop(AF_INET, &bytes, out, socklen_t(buffer.count)) != nil
                    }
                }
            }
        }
        guard written, let end = text.firstIndex(of: 0) else { return "?" }
        return String(decoding: text[..<end], as: UTF8.self)
    }

    // MARK: - reading and writing

    private func service(_ connection: MLLPConnection, flags: UInt32, now: UInt64) {
        if flags & physio_epoll_err != 0 { return close(connection, reason: nil) }
        // A TLS handshake that waits to write goes on when the socket is writable.
        let handshaking = connection.handshakeWantsWrite && flags & Self.writable != 0
        if flags & Self.writable != 0 && !handshaking {
            guard flush(connection) else { return close(connection, reason: nil) }
        }
        if (handshaking || flags & (Self.readable | physio_epoll_hup | Self.hangUp) != 0) && !isPaused(connection) && !connection.inputEnded {
            guard read(connection, now: now) else { return close(connection, reason: nil) }
        }
        finishTurn(connection)
    }

    /// Reads what is there (up to 256 KiB a turn, so one sender cannot hold
    /// the loop) and hands complete frames on. False when the connection failed.
    private func read(_ connection: MLLPConnection, now: UInt64) -> Bool {
        var budget = 4
        while budget > 0 && !isPaused(connection) {
            budget -= 1
            let result = readBuffer.withUnsafeMutableBytes { connection.transport.receive(into: $0) }
            switch result {
            case .bytes(let count):
                connection.lastActivity = now
                let frames = readBuffer.withUnsafeBytes { connection.framer.append(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                for frame in frames { deliver(frame, on: connection, now: now) }
                // Not MLLP (an HTTP request, say): nothing after it read, closed once
                // the frames before it are answered (they may be committed already).
                if connection.framer.isRefused {
                    server.refusedStrayBytes()
                    connection.inputEnded = true
                    return true
                }
                if connection.framer.isInsideFrame {
                    if connection.frameStartedAt == 0 { connection.frameStartedAt = now }
                } else {
                    connection.frameStartedAt = 0
                }
                if count < readBuffer.count && !connection.transport.hasBufferedInput { return true }
            case .wouldBlock(let wantsWrite):
                connection.handshakeWantsWrite = wantsWrite
                return true
            case .closed:
                connection.inputEnded = true
                // A last frame ended by 0x1C alone: no byte is coming to say otherwise.
                for frame in connection.framer.endPending() { deliver(frame, on: connection, now: now) }
                return true
            case .failed:
                return false
            }
        }
        return true
    }

    private func deliver(_ frame: MLLPFramer.Frame, on connection: MLLPConnection, now: UInt64) {
        server.count(frame)
        let reply = connection.owe(receivedAt: now)
        server.handler(frame, reply)
    }

    /// Writes the answers that are ready, in order. False when the connection failed.
    private func flush(_ connection: MLLPConnection) -> Bool {
        _ = connection.collectReady()
        while connection.outputOffset < connection.output.count {
            let result = connection.output.withUnsafeBytes {
                connection.transport.send(UnsafeRawBufferPointer(rebasing: $0[connection.outputOffset...]))
            }
            switch result {
            case .bytes(let count):
                connection.outputOffset += count
            case .wouldBlock:
                return true
            case .closed, .failed:
                return false
            }
        }
        connection.output.removeAll(keepingCapacity: connection.output.capacity <= 65536)
        connection.outputOffset = 0
        connection.handshakeWantsWrite = false
        return true
    }

    /// After reading or writing: close a connection that is done, else
    /// listen for what it needs next.
    private func finishTurn(_ connection: MLLPConnection) {
        guard connections[connection.descriptor] === connection else { return }
        guard flush(connection) else { return close(connection, reason: nil) }
        if connection.inputEnded && !connection.hasWorkPending { return close(connection, reason: nil) }
        // Decrypted bytes epoll cannot see, left when reading was paused.
        if connection.transport.hasBufferedInput && !isPaused(connection) && !connection.inputEnded {
            guard read(connection, now: Clock.monotonicNanos()) else { return close(connection, reason: nil) }
            guard flush(connection) else { return close(connection, reason: nil) }
        }
        updateInterest(connection)
    }

    private func isPaused(_ connection: MLLPConnection) -> Bool {
        connection.owedCount >= server.configuration.maxPipelinedMessages || connection.output.count - connection.outputOffset > 1 << 20
    }

    private func updateInterest(_ connection: MLLPConnection) {
        var events: UInt32 = 0
        if !connection.inputEnded && !isPaused(connection) { events |= Self.readable | Self.hangUp }
        if connection.outputOffset < connection.output.count || connection.handshakeWantsWrite { events |= Self.writable }
        guard events != connection.registeredEvents else { return }
        physio_epoll_modify(epoll, connection.descriptor, events)
        connection.registeredEvents = events
    }

    private func drainWakeups() {
        var sink = [UInt8](repeating: 0, count: 512)
        while Glibc.read(wakeRead, &sink, sink.count) > 0 {}
        let woken = ready.withLock { state -> [MLLPConnection] in
            defer { state = ([], false) }
            return state.connections
        }
        for connection in woken where connections[connection.descriptor] === connection {
            if !flush(connection) { close(connection, reason: nil); continue }
            finishTurn(connection)
        }
    }

    // MARK: - timeouts and stopping

    /// How long a frame's closing 0x1C waits for the byte after it (the sweep runs every 250 ms).
    static let pendingEndNanos: UInt64 = 200_000_000

    private func sweep(now: UInt64) {
        let idle = UInt64(server.configuration.idleTimeoutSeconds * 1e9)
        let deadline = UInt64(server.configuration.messageDeadlineSeconds * 1e9)
        for connection in Array(connections.values) {
            // A TLS handshake is held to the same deadline as a message.
            let started = connection.transport.isEstablished ? connection.frameStartedAt : connection.openedAt
            if started != 0 && deadline > 0 && now - started > deadline {
                close(connection, reason: .pastDeadline)
            } else if connection.framer.endsPending && now - connection.lastActivity > Self.pendingEndNanos {
                // A sender that omits the CR after 0x1C has waited long enough for it.
                for frame in connection.framer.endPending() { deliver(frame, on: connection, now: now) }
                connection.frameStartedAt = 0
                finishTurn(connection)
            } else if !connection.hasWorkPending && idle > 0 && now - connection.lastActivity > idle {
                close(connection, reason: .idle)
            } else if stopping && !connection.hasWorkPending && !connection.framer.isInsideFrame {
                close(connection, reason: nil)
            }
        }
    }

    private func beginStop(now: UInt64) {
        stopping = true
        stopDeadline = now + UInt64(server.configuration.drainTimeoutSeconds * 1e9)
        physio_epoll_remove(epoll, listening)
        listening = -1
    }

    enum CloseReason { case idle, pastDeadline }

    private func close(_ connection: MLLPConnection, reason: CloseReason?) {
        guard connections.removeValue(forKey: connection.descriptor) != nil else { return }
        physio_epoll_remove(epoll, connection.descriptor)
        connection.markClosed()
        connection.transport.close()
        server.closed(connection, reason: reason)
    }

    private func add(_ descriptor: Int32, events: UInt32) {
        physio_epoll_add(epoll, descriptor, events)
    }

}
