import PhysioHTTP

/// `GET /metrics`: Prometheus text format. Needs a token with the `read`
/// scope (Prometheus sends one with `authorization: {credentials: …}`).
struct MetricsRoutes {
    let metrics: ServerMetrics

    var routes: [Route] {
        [Route("GET", "/metrics", scope: "metrics") { _ in
            .now(.text(try metrics.render(), contentType: "text/plain; version=0.0.4; charset=utf-8"))
        }]
    }
}
