/// Seconds on the command line, microseconds inside.
enum Seconds {
    static func micros(_ seconds: Double) -> Int64 { Int64((seconds * 1e6).rounded()) }

    static func text(_ micros: Int64) -> String {
        micros % 1_000_000 == 0 ? String(micros / 1_000_000) : String(Double(micros) / 1e6)
    }
}
