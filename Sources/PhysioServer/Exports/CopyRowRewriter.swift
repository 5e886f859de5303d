/// Rewrites each row of a `COPY … TO STDOUT` on its way to the client.
protocol CopyRowRewriter {
    /// Appends `row` (one line, newline included) rewritten to `out`; false,
    /// with nothing appended, if the row does not have the expected shape.
    func append(_ row: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) -> Bool
}
