import PhysioTestSupport
import Testing

/// The live stream as a Python client reads it: `httpx-sse` dispatches at
/// every blank line once it has seen an id, so a keep-alive or `retry:`
/// block ended by one came to it as an empty event.
@Suite(.enabled(if: TestDatabase.isConfigured && PythonScript.isAvailable, "\(TestDatabase.skipMessage); \(PythonScript.skipMessage)"))
struct StreamClientLibraryTests {
    static let reader = """
        import signal, sys, threading, time
        import httpx, httpx_sse
        port, read, ingest = sys.argv[1:4]
        base = f"http://127.0.0.1:{port}"
        signal.alarm(30)

        def post(t, hr):
            reply = httpx.post(f"{base}/cases/sse-py/vitals", headers={"Authorization": f"Bearer {ingest}"},
                               json={"samples": [{"t": t, "hr": hr}]})
            assert reply.status_code == 200, reply.text

        def later():
            time.sleep(1.0)
            post(1795600001, 91)
            time.sleep(2.5)   # keep-alives every 0.5 s after the first event's id
            post(1795600002, 93)

        threading.Thread(target=later, daemon=True).start()
        events = []
        with httpx.Client(timeout=10) as client:
            with httpx_sse.connect_sse(client, "GET", f"{base}/cases/sse-py/stream",
                                       headers={"Authorization": f"Bearer {read}"}) as source:
                for event in source.iter_sse():
                    events.append(event)
                    if event.event == "sample" and '"hr":93' in event.data:
                        break
        for event in events:
            print("event", repr(event.event), repr(event.data[:40]), event.retry)
        empty = [e for e in events if not e.data]
        assert not empty, f"{len(empty)} empty events of {len(events)}"
        assert [e.event for e in events if e.event == "sample"] == ["sample", "sample"], [e.event for e in events]
        assert events[0].retry == 2000, events[0].retry
        print("ok")
        """

    @Test func httpxSSEGetsOnlyTheServersEventsAndItsRetry() throws {
        let server = try TestServer { $0.streamHeartbeatSeconds = 0.5 }
        #expect(try server.ingest("sse-py", json: #"{"samples":[{"t":1795600000,"hr":70}]}"#).status == 200)
        let output = try PythonScript.run(Self.reader, arguments: [String(server.port), server.tokens["read"]!, server.tokens["ingest"]!])
        #expect(output.hasSuffix("ok\n"), "\(output)")
        #expect(output.contains("event 'sample'"), "\(output)")
    }
}
