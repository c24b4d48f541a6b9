import Foundation

/// Ranks sentences by how central they are to a text (Mihalcea and Tarau, 2004).
///
/// Sentences are the nodes of a graph whose edges weigh the content words two sentences share,
/// `|A ∩ B| / (log(|A| + 1) + log(|B| + 1))`; the score is the PageRank of that graph with damping 0.85, iterated until
/// no score moves by more than 1e-6 (at most 200 rounds). A sentence that shares words with many others ranks high; an
/// off-topic one stays at the floor of 0.15. For Vietnamese, pairs of adjacent syllables count as words too, so
/// `học máy` matches `học máy` more strongly than `máy` matches `máy`.
public enum TextRank {
    public static let damping = 0.85

    /// One score per sentence, in the same order; higher is more central.
    /// - Complexity: O(n²) in the number of sentences in the worst case (every pair shares a word); an inverted index
    ///   visits only pairs that share one.
    public static func scores(for sentences: [String], tokenizer: WordTokenizer) -> [Double] {
        let count = sentences.count
        guard count > 0 else { return [] }
        guard count > 1 else { return [1] }

        // Each sentence as a set of term ids.
        var ids: [String: Int] = [:]
        let terms: [[Int]] = sentences.map { sentence in
            let words = features(of: sentence, tokenizer: tokenizer)
            return Array(Set(words.map { word in
                if let id = ids[word] { return id }
                let id = ids.count
                ids[word] = id
                return id
            })).sorted()
        }

        // Overlaps through an inverted index: pairs that share no term are never visited.
        var postings = [[Int]](repeating: [], count: ids.count)
        for (sentence, termIDs) in terms.enumerated() {
            for term in termIDs { postings[term].append(sentence) }
        }
        var overlap: [Int: Int] = [:]  // key i * count + j, i < j
        for list in postings where list.count > 1 {
            for a in 0..<(list.count - 1) {
                for b in (a + 1)..<list.count { overlap[list[a] * count + list[b], default: 0] += 1 }
            }
        }

        var neighbours = [[(index: Int, weight: Double)]](repeating: [], count: count)
        var strength = [Double](repeating: 0, count: count)
        for (key, shared) in overlap {
            let i = key / count, j = key % count
            let weight = Double(shared) / (log(Double(terms[i].count + 1)) + log(Double(terms[j].count + 1)))
            guard weight > 0 else { continue }
            neighbours[i].append((j, weight))
            neighbours[j].append((i, weight))
            strength[i] += weight
            strength[j] += weight
        }
        // A deterministic order of summation, whatever the dictionary's order was.
        for index in 0..<count { neighbours[index].sort { $0.index < $1.index } }

        var score = [Double](repeating: 1, count: count)
        for _ in 0..<200 {
            var next = [Double](repeating: 1 - damping, count: count)
            for i in 0..<count {
                var sum = 0.0
                for (j, weight) in neighbours[i] where strength[j] > 0 { sum += weight / strength[j] * score[j] }
                next[i] += damping * sum
            }
            let change = zip(score, next).map { abs($0 - $1) }.max() ?? 0
            score = next
            if change < 1e-6 { break }
        }
        return score
    }

    /// The words a sentence is compared by: its content words, and for Vietnamese its syllable pairs.
    static func features(of sentence: String, tokenizer: WordTokenizer) -> [String] {
        let tokens = tokenizer.tokens(in: sentence)
        var features = tokens.filter(tokenizer.isContent).map(\.normalized)
        if tokenizer.language == .vietnamese {
            features += KeywordExtractor.compounds(in: tokens, tokenizer: tokenizer).map(\.normalized)
        }
        return features
    }
}
