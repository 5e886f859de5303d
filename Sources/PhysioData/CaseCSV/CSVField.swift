/// A field of a case CSV as other tools write it: R's `write.csv` quotes
/// every text field ("or-1", and the header's names) and writes a missing
/// value as NA; pandas writes one as an empty field, or as its `na_rep`.
/// Fields are split on commas first, so a quoted comma is not supported
/// (no case id, time or vital has one; the row then has too many fields,
/// an error naming the line).
enum CSVField {
    /// The field without the double quotes around it (`""` inside is one quote).
    static func unquoted<S: StringProtocol>(_ field: S) -> Substring {
        var text = Substring(field)
        guard text.count >= 2, text.first == "\"", text.last == "\"" else { return text }
        text = text.dropFirst().dropLast()
        return text.contains("\"\"") ? Substring(text.replacing("\"\"", with: "\"")) : text
    }

    /// Whether a value field says "missing": empty, or one of the words
    /// pandas' `read_csv` reads as missing by default (its NaN spellings
    /// parse as a number, NaN, which is missing too).
    static func isMissing(_ field: Substring) -> Bool { field.isEmpty || missingWords.contains(field) }

    private static let missingWords: Set<Substring> = ["NA", "N/A", "n/a", "#N/A", "#N/A N/A", "#NA", "<NA>", "NULL", "null", "None"]
}
