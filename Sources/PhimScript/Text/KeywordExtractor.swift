import Foundation
import PhimCore

/// Picks the words that say what a passage is about, as they are written in the text.
///
/// Candidates are content words and compounds of two adjacent content words in the same clause (`solar panels`,
/// `học máy`). For Vietnamese, whose words are written syllable by syllable, compounds are the main candidates and a
/// lone syllable rarely wins. A candidate scores by how often the passage uses it, times how rare it is in the whole
/// document (tf-idf over the document's sentences); a compound that recurs in the document scores higher than its parts.
struct KeywordExtractor: Sendable {
    /// A word or compound as written, with its lowercased form.
    struct Term: Sendable, Equatable {
        var text: String
        var normalized: String
        var isSentenceInitial: Bool
        var isCompound: Bool
        /// An English word right after an article, a determiner or a preposition (`the sun`, `of silicon`): likely a noun.
        var followsDeterminer: Bool = false
    }

    let tokenizer: WordTokenizer
    /// In how many of the document's sentences each lowercased term occurs.
    private var sentenceFrequency: [String: Int] = [:]
    /// How often each lowercased term occurs in the document.
    private var occurrences: [String: Int] = [:]
    private var sentenceCount = 0
    /// The preferred written form of each lowercased term (one not at the start of a sentence when there is one).
    private var surfaces: [String: String] = [:]

    /// - Parameter sentences: every sentence of the document (rarity is measured over them).
    init(sentences: [String], tokenizer: WordTokenizer) {
        self.tokenizer = tokenizer
        sentenceCount = sentences.count
        var initialOnly: Set<String> = []
        for sentence in sentences {
            var seen: Set<String> = []
            for term in terms(in: sentence) {
                occurrences[term.normalized, default: 0] += 1
                if seen.insert(term.normalized).inserted { sentenceFrequency[term.normalized, default: 0] += 1 }
                if surfaces[term.normalized] == nil {
                    surfaces[term.normalized] = term.text
                    if term.isSentenceInitial { initialOnly.insert(term.normalized) }
                } else if !term.isSentenceInitial, initialOnly.contains(term.normalized) {
                    surfaces[term.normalized] = term.text
                    initialOnly.remove(term.normalized)
                }
            }
        }
        // A word seen only at the start of sentences: lowercase it unless it looks like a name (capitalised later
        // in its compound, or all capitals).
        for term in initialOnly {
            guard let text = surfaces[term], let first = text.first, first.isUppercase else { continue }
            let rest = text.dropFirst()
            if rest.allSatisfy({ !$0.isUppercase }), !text.contains(" ") || rest.split(separator: " ").allSatisfy({ $0.first?.isLowercase ?? true }) {
                surfaces[term] = first.lowercased() + rest
            }
        }
    }

    /// Up to `limit` keywords of `sentences`, best first, as written in the text.
    func keywords(in sentences: [String], limit: Int = 4) -> [String] {
        var frequency: [String: Int] = [:]
        var firstSeen: [String: Int] = [:]
        var isCompound: [String: Bool] = [:]
        var capitalised: Set<String> = []
        var nounLike: Set<String> = []
        var position = 0
        for sentence in sentences {
            for term in terms(in: sentence) {
                frequency[term.normalized, default: 0] += 1
                if term.followsDeterminer { nounLike.insert(term.normalized) }
                if firstSeen[term.normalized] == nil { firstSeen[term.normalized] = position }
                isCompound[term.normalized] = term.isCompound
                if !term.isSentenceInitial, term.text.first?.isUppercase ?? false { capitalised.insert(term.normalized) }
                position += 1
            }
        }
        let documentSize = Double(max(sentenceCount, sentences.count))
        func score(_ term: String) -> Double {
            let documentFrequency = Double(max(sentenceFrequency[term] ?? 0, 1))
            let rarity = log((documentSize + 1) / documentFrequency) + 1
            var weight: Double
            let recurring = (sentenceFrequency[term] ?? 0) >= 2 || (frequency[term] ?? 0) >= 2
            switch (tokenizer.language, isCompound[term] ?? false) {
            case (.english, false):
                // No part-of-speech tagger: nouns tend to follow determiners; -ly words are adverbs; -ing/-ed words
                // are often verbs.
                weight = 1
                if nounLike.contains(term) { weight = 1.3 }
                else if term.hasSuffix("ly") { weight = 0.2 }
                else if term.hasSuffix("ing") || term.hasSuffix("ed") { weight = 0.6 }
            case (.english, true): weight = recurring ? 1.6 : 0.7
            case (.vietnamese, false): weight = 0.45
            case (.vietnamese, true):
                // Two syllables seen side by side may be one word (`kinh nghiệm`) or two (`máy giúp`): they are one
                // word when the lexicon lists them, when they mostly occur together (Dice coefficient), when the pair
                // recurs, or for names.
                let cohesion = dice(term)
                if VietnameseLexicon.compounds.contains(term) { weight = recurring ? 2.0 : 1.6 }
                else if recurring { weight = cohesion >= 0.3 ? 1.8 : 1.0 }
                else if capitalised.contains(term) { weight = 1.4 }
                else { weight = cohesion >= 0.5 ? 1.0 : 0.3 }
            }
            if capitalised.contains(term) { weight *= 1.3 }
            return Double(frequency[term]!) * rarity * weight
        }
        let ranked = frequency.keys.sorted { a, b in
            let sa = score(a), sb = score(b)
            if sa != sb { return sa > sb }
            return firstSeen[a]! < firstSeen[b]!
        }
        var chosen: [String] = []
        for term in ranked {
            if chosen.count >= limit { break }
            let parts = Set(term.split(separator: " ").map(String.init))
            // Skip a word already inside a chosen compound, or a compound that repeats chosen words.
            if chosen.contains(where: { Set($0.split(separator: " ").map(String.init)).isSuperset(of: parts) }) { continue }
            // Skip a compound that overlaps a chosen one (`electricity bills` after `lower electricity`).
            if isCompound[term] ?? false, chosen.contains(where: {
                $0.contains(" ") && !Set($0.split(separator: " ").map(String.init)).isDisjoint(with: parts)
            }) { continue }
            if (isCompound[term] ?? false) {
                chosen.removeAll { parts.contains($0) }
            }
            chosen.append(term)
        }
        return chosen.map { surfaces[$0] ?? $0 }
    }

    /// How strongly the two words of a compound stick together in the document: 2·n(ab) / (n(a) + n(b)).
    private func dice(_ compound: String) -> Double {
        let parts = compound.split(separator: " ").map(String.init)
        guard parts.count == 2 else { return 0 }
        let together = Double(occurrences[compound] ?? 0)
        // A weak syllable (`thành`) is never counted alone: count it as occurring only with its partner.
        let first = Double(occurrences[parts[0]] ?? Int(together)), second = Double(occurrences[parts[1]] ?? Int(together))
        return first + second > 0 ? 2 * together / (first + second) : 0
    }

    /// The candidate terms of one sentence, in order: content words, then compounds.
    func terms(in sentence: String) -> [Term] {
        let tokens = tokenizer.tokens(in: sentence)
        var terms: [Term] = []
        for (index, token) in tokens.enumerated() where tokenizer.isContent(token) {
            let previous = index > 0 && !token.breakBefore ? tokens[index - 1].normalized : nil
            terms.append(Term(text: token.text, normalized: token.normalized, isSentenceInitial: index == 0, isCompound: false,
                              followsDeterminer: previous.map(Self.determiners.contains) ?? false))
        }
        terms += Self.compounds(in: tokens, tokenizer: tokenizer)
        return terms
    }

    /// Pairs of adjacent words in the same clause that could be one compound: for Vietnamese, syllables that are not
    /// function words (at most one of them weak, like `thành` in `thành phố`); for English, two content words.
    static func compounds(in tokens: [WordTokenizer.Token], tokenizer: WordTokenizer) -> [Term] {
        guard tokens.count > 1 else { return [] }
        let language = tokenizer.language
        var result: [Term] = []
        for index in 1..<tokens.count {
            let first = tokens[index - 1], second = tokens[index]
            guard !second.breakBefore, !first.isNumber, !second.isNumber,
                  first.normalized.count > 1 || language == .vietnamese, second.normalized.count > 1 || language == .vietnamese
            else { continue }
            switch language {
            case .vietnamese:
                let weak = [first, second].filter { Stopwords.vietnameseWeak.contains($0.normalized) }.count
                guard !Stopwords.vietnameseFunction.contains(first.normalized), !Stopwords.vietnameseFunction.contains(second.normalized),
                      weak < 2, first.normalized.contains(where: \.isLetter), second.normalized.contains(where: \.isLetter)
                else { continue }
            case .english:
                guard tokenizer.isContent(first), tokenizer.isContent(second) else { continue }
            }
            result.append(Term(text: "\(first.text) \(second.text)", normalized: "\(first.normalized) \(second.normalized)",
                               isSentenceInitial: index == 1, isCompound: true))
        }
        return result
    }

    static let determiners: Set<String> = [
        "the", "a", "an", "this", "that", "these", "those", "its", "their", "our", "your", "his", "her", "my", "of", "for",
        "to", "in", "on", "with", "by", "from", "into", "no", "every", "each", "many", "most", "some", "more", "any",
    ]
}
