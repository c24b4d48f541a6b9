import Foundation
import PhimCore

/// Tells Vietnamese from English.
///
/// Vietnamese writes almost every syllable with a mark (ă â đ ê ô ơ ư and five tone marks); English has none.
/// Words that carry a Vietnamese mark and common function words of each language are counted; the larger score wins.
/// Text with no evidence either way (an empty string, `"Python"`) is English.
public enum LanguageDetector {
    /// The language `text` is most likely written in.
    /// - Complexity: O(n) in the length of `text`; only the first 20,000 characters are read.
    public static func detect(_ text: String) -> ScriptLanguage {
        let sample = String(text.nfc.prefix(20_000))
        var vietnameseScore = 0.0
        var englishScore = 0.0
        for word in sample.split(whereSeparator: { !$0.isLetter && $0 != "'" && $0 != "’" }) {
            let lower = word.lowercased()
            let marks = vietnameseMarkStrength(lower)
            if marks > 0 {
                vietnameseScore += marks
            } else if englishCommonWords.contains(lower) {
                englishScore += 1
            } else if vietnameseUnmarkedWords.contains(lower) {
                vietnameseScore += 0.5
            }
            if vietnameseCommonWords.contains(lower) { vietnameseScore += 1 }
        }
        return vietnameseScore > englishScore ? .vietnamese : .english
    }

    /// How strongly a lowercased word's letters point to Vietnamese: 2 for letters only Vietnamese uses
    /// (đ, ơ, ư, ă, the hook above, the dot below, tone marks on a circumflex), 1 for marks other languages share
    /// (à, é, ê, õ…), 0 for plain ASCII.
    static func vietnameseMarkStrength(_ word: String) -> Double {
        var strength = 0.0
        for scalar in word.decomposedStringWithCanonicalMapping.unicodeScalars {
            switch scalar.value {
            case 0x0111, 0x0306, 0x031B, 0x0309, 0x0323: return 2  // đ, breve, horn, hook above, dot below
            case 0x0300, 0x0301, 0x0303, 0x0302: strength = 1     // grave, acute, tilde, circumflex
            default: break
            }
        }
        return strength
    }

    static let englishCommonWords: Set<String> = [
        "the", "and", "of", "to", "a", "in", "is", "it", "that", "for", "on", "with", "as", "are", "was", "this", "be",
        "by", "or", "from", "at", "an", "have", "has", "not", "but", "they", "you", "we", "his", "her", "their", "can",
        "will", "what", "which", "how", "why", "when", "there", "more", "about", "into", "than", "its", "do", "does",
        "been", "were", "one", "all", "would", "our", "your", "so", "if", "also", "these", "those", "who",
    ]

    /// Common Vietnamese words (with their marks); each adds to the Vietnamese score on top of its marks.
    static let vietnameseCommonWords: Set<String> = [
        "và", "của", "là", "các", "những", "được", "có", "cho", "với", "trong", "một", "này", "không", "người",
        "để", "khi", "đã", "sẽ", "đang", "từ", "về", "cũng", "rất", "nhiều", "như", "thì", "mà", "hơn",
    ]

    /// Vietnamese syllables that carry no mark but are rare as English words, for text typed without diacritics.
    static let vietnameseUnmarkedWords: Set<String> = [
        "va", "cua", "la", "cac", "nhung", "duoc", "co", "cho", "voi", "trong", "mot", "nay", "khong", "nguoi",
        "de", "khi", "da", "se", "dang", "tu", "ve", "cung", "rat", "nhieu", "nhu", "thi", "ma", "hon", "chung",
        "ta", "toi", "ban", "minh", "nhan", "viec", "lam", "hoc", "nam", "sinh", "thanh", "phat", "trien",
    ]
}
