import Foundation

/// A text in Chinese and English: the two languages of the outputs (`--language zh|en`).
public struct Bilingual: Sendable, Hashable, Codable {
    public let zh: String
    public let en: String
    public init(_ zh: String, _ en: String) { self.zh = zh; self.en = en }
}

/// A code written into the outputs: its stable name for machines (the raw value) and what it
/// means for people, in both languages, from `Resources/codes.json` (text translators can edit;
/// `VocabularyTests` holds every case to an entry there).
public protocol OutputCode: RawRepresentable, CaseIterable, Sendable, Hashable where RawValue == String {}

extension OutputCode {
    public var meaning: Bilingual {
        CodeMeanings.table[String(describing: Self.self)]?[rawValue] ?? Bilingual(rawValue, rawValue)
    }
}

/// `Resources/codes.json`: per enum, per code, its zh and en meaning.
public enum CodeMeanings {
    public static let table: [String: [String: Bilingual]] = {
        guard let url = Bundle.module.url(forResource: "codes", withExtension: "json"),
              let data = try? Data(contentsOf: url),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        var table: [String: [String: Bilingual]] = [:]
        for (name, entries) in object {
            guard let entries = entries as? [String: [String: String]] else { continue }
            table[name] = entries.compactMapValues { entry in entry["zh"].flatMap { zh in entry["en"].map { Bilingual(zh, $0) } } }
        }
        return table
    }()
}
