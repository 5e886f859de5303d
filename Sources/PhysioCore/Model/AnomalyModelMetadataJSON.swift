#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension AnomalyModel {
    /// The training record as JSON, stored beside the model for the API to show.
    public func metadataJSON() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(metadata), as: UTF8.self)
    }
}
