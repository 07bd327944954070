/// A text in Chinese and English: the two languages of the outputs (`--language zh|en`).
public struct Bilingual: Sendable, Hashable {
    public let zh: String
    public let en: String
    public init(_ zh: String, _ en: String) { self.zh = zh; self.en = en }
}

/// A code written into the outputs: its stable name for machines (the raw value) and what it
/// means for people, in both languages. Every code the tool writes is one of these enums.
public protocol OutputCode: RawRepresentable, CaseIterable, Sendable, Hashable where RawValue == String {
    var meaning: Bilingual { get }
}
