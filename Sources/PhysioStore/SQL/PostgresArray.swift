import PhysioPlatform

/// PostgreSQL array literals for `$n::type[]` parameters.
public enum PostgresArray {
    /// `{a,b,c}`; with `quoted`, every element is double-quoted and escaped.
    public static func literal(_ elements: [String], quoted: Bool = false) -> String {
        guard quoted else { return "{" + elements.joined(separator: ",") + "}" }
        return "{" + elements.map { element in
            // Case ids, the usual elements, never need escaping; checking the
            // bytes first skips a Character-by-Character copy.
            guard element.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") }) else {
                return "\"" + element + "\""
            }
            var escaped = "\""
            for character in element {
                if character == "\\" || character == "\"" { escaped.append("\\") }
                escaped.append(character)
            }
            return escaped + "\""
        }.joined(separator: ",") + "}"
    }

    /// `{…}` of times given in microseconds since the epoch, for `$n::timestamptz[]`.
    public static func times(_ micros: [Int64]) -> String {
        literal(micros.map { Timestamp.format($0) })
    }
}
