import CMicroHTTPD
import PhysioPlatform

// libmicrohttpd's callbacks: plain top-level functions (a closure would
// carry Swift 6's main-actor checks onto the pool threads).

/// Refuses connections once the server is stopping or holds
/// `--connection-limit` of them: they are closed as accepted, rather than
/// left waiting in the kernel's queue.
func physioAcceptPolicy(_ cls: UnsafeMutableRawPointer?, _ address: UnsafePointer<sockaddr>?, _ length: socklen_t) -> MHD_Result {
    guard let cls else { return MHD_Result.NO }
    return Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue().admitsConnection() ? MHD_Result.YES : MHD_Result.NO
}

func physioAccessHandler(
    _ cls: UnsafeMutableRawPointer?, _ connection: OpaquePointer?, _ url: UnsafePointer<CChar>?,
    _ method: UnsafePointer<CChar>?, _ version: UnsafePointer<CChar>?, _ uploadData: UnsafePointer<CChar>?,
    _ uploadDataSize: UnsafeMutablePointer<Int>?, _ requestState: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> MHD_Result {
    guard let cls, let connection, let url, let method, let uploadDataSize, let requestState else { return MHD_Result.NO }
    let server = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue()
    EventLoopThread.markCurrent()

    // First call: headers are in. Answer only on a later call (answering now
    // makes libmicrohttpd 0.9.75 drop keep-alive), except to refuse a body
    // before reading it: then closing the connection is the point.
    guard let existing = requestState.pointee else {
        let suppliedID = MHD_lookup_connection_value(connection, MHD_ValueKind.HEADER_KIND, "X-Request-Id").map { String(cString: $0) }
        let context = server.begin(method: String(cString: method), path: String(cString: url), suppliedID: suppliedID)
        requestState.pointee = Unmanaged.passRetained(context).toOpaque()
        let framing: BodyFraming
        do {
            framing = try BodyFraming.read(connection, version: version.map { String(cString: $0) } ?? "")
        } catch {
            server.deadlines?.received(connection)
            return queue(error.problem.response, context: context, connection: connection, server: server)
        }
        if let declared = framing.declaredLength, declared > server.configuration.maxBodyBytes {
            context.tooLarge = true
            server.deadlines?.received(connection)
            return queue(tooLarge(server, context), context: context, connection: connection, server: server)
        }
        if framing.coding != .identity { context.inflater = BodyInflater(coding: framing.coding) }
        // A body nobody will read (no route, no or a refused token) is not
        // read: 20 connections sending 8 MB each without a token held 220 MB.
        // A token not seen yet is looked up first, the connection suspended.
        guard framing.hasBody else { return MHD_Result.YES }
        return admitBody(context: context, connection: connection, server: server, mayLookUp: true)
    }
    let context = Unmanaged<RequestContext>.fromOpaque(existing).takeUnretainedValue()
    if context.stage == .admitting {
        // Back from the token's lookup: its refusal, or its grant now cached.
        let refusal = context.takePending()
        if uploadDataSize.pointee == 0 {
            if let refusal {
                server.deadlines?.received(connection)
                return queue(refusal, context: context, connection: connection, server: server)
            }
            return admitBody(context: context, connection: connection, server: server, mayLookUp: false)
        }
        if let response = refusal ?? bodylessAnswer(context, connection, server).answer?.response {
            // Body bytes came first: libmicrohttpd takes no answer now, so answer on the socket.
            context.status = response.status
            server.deadlines?.received(connection)
            if !server.isTLS { EarlyAnswer.send(response, requestID: context.id, on: connection) }
            return MHD_Result.NO
        }
        context.stage = .receiving
    }

    if uploadDataSize.pointee > 0 {
        let size = uploadDataSize.pointee
        uploadDataSize.pointee = 0
        context.receivedBytes += size
        if let uploadData {
            uploadData.withMemoryRebound(to: UInt8.self, capacity: size) {
                context.receive(UnsafeBufferPointer(start: $0, count: size), limit: server.configuration.maxBodyBytes)
            }
        }
        // Only a chunked body gets here past the limit (a declared length was
        // checked): it may never end, and libmicrohttpd takes no answer while
        // a body is being read, so answer on the socket and close.
        if context.receivedBytes > server.configuration.maxBodyBytes {
            context.status = 413
            server.deadlines?.received(connection)
            if !server.isTLS {
                let problem = Problem.payloadTooLarge("the request body is larger than \(server.configuration.maxBodyBytes) bytes")
                EarlyAnswer.send(problem.response, requestID: context.id, on: connection)
            }
            return MHD_Result.NO
        }
        return MHD_Result.YES
    }

    switch context.stage {
    case .receiving:
        server.deadlines?.received(connection)
        if context.tooLarge {
            return queue(tooLarge(server, context), context: context, connection: connection, server: server)
        }
        if let problem = context.finishBody() {
            return queue(problem.response, context: context, connection: connection, server: server)
        }
        let request = Request(method: context.method, path: context.path, body: context.body, id: context.id,
                              connection: connection)
        context.body = []
        let (reply, route) = server.router.respond(to: request)
        context.route = route
        switch reply {
        case .now(let response):
            return queue(response, context: context, connection: connection, server: server)
        case .later(let deferred):
            context.stage = .suspended
            MHD_suspend_connection(connection)
            deferred.whenComplete { response in
                context.setPending(response)
                MHD_resume_connection(connection)
            }
            return MHD_Result.YES
        }
    case .admitting:
        return MHD_Result.YES  // handled above
    case .suspended:
        guard let response = context.takePending() else { return MHD_Result.YES }
        return queue(response, context: context, connection: connection, server: server)
    case .responded:
        return MHD_Result.YES
    }
}

/// Answers a request with a body from its headers when they decide it, else
/// lets the body be read; a token not cached yet is looked up off the event
/// loop first, with the connection suspended (the handler is called again).
private func admitBody(context: RequestContext, connection: OpaquePointer, server: HTTPServer, mayLookUp: Bool) -> MHD_Result {
    switch bodylessAnswer(context, connection, server) {
    case .answer(let response, let label):
        context.route = label
        server.deadlines?.received(connection)
        return queue(response, context: context, connection: connection, server: server)
    case .lookUpFirst(let label) where mayLookUp:
        context.stage = .admitting
        context.route = label
        MHD_suspend_connection(connection)
        let request = Request(method: context.method, path: context.path, body: [], id: context.id, connection: connection)
        // libmicrohttpd's resume may be called from any thread.
        nonisolated(unsafe) let suspended = connection
        if !server.router.lookUpToken(of: request, then: { refusal in
            if let refusal { context.setPending(refusal) }
            MHD_resume_connection(suspended)
        }) {
            context.stage = .receiving  // the lookup queue is full: the body is read and the request answered as before
            MHD_resume_connection(connection)
        }
        return MHD_Result.YES
    case .lookUpFirst, .readBody:
        context.stage = .receiving
        return MHD_Result.YES
    }
}

private func bodylessAnswer(_ context: RequestContext, _ connection: OpaquePointer, _ server: HTTPServer) -> Router.BodylessAnswer {
    server.router.answerWithoutBody(to: Request(method: context.method, path: context.path, body: [], id: context.id, connection: connection))
}

private func tooLarge(_ server: HTTPServer, _ context: RequestContext) -> Response {
    Problem.payloadTooLarge(context.tooLargeDetail(limit: server.configuration.maxBodyBytes)).response
}

private func queue(_ response: Response, context: RequestContext, connection: OpaquePointer, server: HTTPServer) -> MHD_Result {
    context.stage = .responded
    context.status = response.status
    let handle: OpaquePointer?
    switch response.body {
    case .bytes(let bytes):
        handle = bytes.withUnsafeBytes { buffer in
            MHD_create_response_from_buffer(buffer.count, UnsafeMutableRawPointer(mutating: buffer.baseAddress),
                                            MHD_ResponseMemoryMode.RESPMEM_MUST_COPY)
        }
    case .stream(let stream):
        let streamContext = StreamContext(stream: stream, connection: connection, server: server)
        handle = MHD_create_response_from_callback(UInt64.max, 64 * 1024, physioStreamRead,
                                                   Unmanaged.passRetained(streamContext).toOpaque(), physioStreamFree)
    }
    guard let handle else { return MHD_Result.NO }
    defer { MHD_destroy_response(handle) }
    for (name, value) in response.headers { MHD_add_response_header(handle, name, value) }
    MHD_add_response_header(handle, "X-Request-Id", context.id)
    // Answers hold patient data: no cache keeps them (the dashboard's files
    // say otherwise themselves), no browser guesses their type, and over TLS
    // a browser keeps to HTTPS.
    if !response.headers.contains(where: { $0.0 == "Cache-Control" }) { MHD_add_response_header(handle, "Cache-Control", "no-store") }
    if !response.headers.contains(where: { $0.0 == "X-Content-Type-Options" }) { MHD_add_response_header(handle, "X-Content-Type-Options", "nosniff") }
    if server.isTLS { MHD_add_response_header(handle, "Strict-Transport-Security", "max-age=31536000") }
    if server.isStopping { MHD_add_response_header(handle, "Connection", "close") }
    return MHD_queue_response(connection, UInt32(response.status), handle)
}

func physioRequestCompleted(
    _ cls: UnsafeMutableRawPointer?, _ connection: OpaquePointer?,
    _ requestState: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, _ reason: MHD_RequestTerminationCode
) {
    guard let cls else { return }
    let server = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue()
    if let connection { server.deadlines?.finished(connection) }
    guard let requestState, let raw = requestState.pointee else { return }
    let context = Unmanaged<RequestContext>.fromOpaque(raw).takeRetainedValue()
    requestState.pointee = nil
    server.finish(context)
}

/// Connections opening and closing: counted for the connection limit, and
/// the request-deadline sweeper's view of them.
func physioConnectionNotify(
    _ cls: UnsafeMutableRawPointer?, _ connection: OpaquePointer?,
    _ socketContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, _ code: MHD_ConnectionNotificationCode
) {
    guard let cls, let connection else { return }
    let server = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue()
    if code == .CONNECTION_NOTIFY_STARTED {
        server.connectionOpened()
        server.deadlines?.opened(connection, socket: physio_mhd_connection_fd(connection))
    } else {
        server.deadlines?.closed(connection)
        server.connectionClosed()
    }
}

func physioStreamRead(_ cls: UnsafeMutableRawPointer?, _ position: UInt64,
                      _ buffer: UnsafeMutablePointer<CChar>?, _ max: Int) -> Int {
    guard let cls, let buffer else { return -2 }
    EventLoopThread.markCurrent()
    let context = Unmanaged<StreamContext>.fromOpaque(cls).takeUnretainedValue()
    if context.server.isStopping { return -1 }
    switch context.stream.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: max)) {
    case .bytes(let count):
        return count
    case .end:
        return -1  // MHD_CONTENT_READER_END_OF_STREAM
    case .failed:
        return -2  // MHD_CONTENT_READER_END_WITH_ERROR
    case .wait(let waker):
        guard context.server.register(waker) else { return -1 }
        MHD_suspend_connection(context.connection)
        let connection = context.connection
        let server = context.server
        waker.onWake {
            server.unregister(waker)
            MHD_resume_connection(connection)
        }
        return 0
    }
}

func physioStreamFree(_ cls: UnsafeMutableRawPointer?) {
    guard let cls else { return }
    Unmanaged<StreamContext>.fromOpaque(cls).takeRetainedValue().stream.close()
}

func physioMHDLogSink(_ message: UnsafePointer<CChar>?) {
    guard let message else { return }
    var text = String(cString: message)
    while text.last == "\n" { text.removeLast() }
    ServerLibraryMessage.log(text)
}
