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
    /// Above this many sentences the graph is not built (its size grows with the square); each sentence is scored by
    /// its weighted degree instead, computed from how many sentences share each of its words.
    public static let maxGraphSentences = 2_000

    /// One score per sentence, in the same order; higher is more central.
    /// - Complexity: O(n²) time and memory in the number of sentences, up to ``maxGraphSentences``; O(n) beyond.
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

        guard count <= maxGraphSentences else { return degreeScores(terms: terms, termCount: ids.count) }

        // Overlaps through an inverted index: pairs that share no term are never visited.
        var postings = [[Int]](repeating: [], count: ids.count)
        for (sentence, termIDs) in terms.enumerated() {
            for term in termIDs { postings[term].append(sentence) }
        }
        var overlap = [UInt16](repeating: 0, count: count * count)  // [i * count + j], i < j; 8 MB at 2,000 sentences
        for list in postings where list.count > 1 {
            for a in 0..<(list.count - 1) {
                let row = list[a] * count
                for b in (a + 1)..<list.count { overlap[row + list[b]] &+= 1 }
            }
        }

        var neighbours = [[(index: Int, weight: Double)]](repeating: [], count: count)
        var strength = [Double](repeating: 0, count: count)
        for i in 0..<count {
            for j in (i + 1)..<count where overlap[i * count + j] > 0 {
                let weight = Double(overlap[i * count + j]) / (log(Double(terms[i].count + 1)) + log(Double(terms[j].count + 1)))
                neighbours[i].append((j, weight))
                neighbours[j].append((i, weight))
                strength[i] += weight
                strength[j] += weight
            }
        }

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

    /// The weighted degree approximation for long texts: a sentence's summed overlap with all others,
    /// `Σ (sentences sharing term − 1) / (log(|S| + 1) + mean log(|S'| + 1))`, mapped to `(1 − d) + d · degree / mean degree`.
    private static func degreeScores(terms: [[Int]], termCount: Int) -> [Double] {
        var frequency = [Int](repeating: 0, count: termCount)
        for termIDs in terms { for term in termIDs { frequency[term] += 1 } }
        let meanLog = terms.reduce(0.0) { $0 + log(Double($1.count + 1)) } / Double(terms.count)
        let degrees = terms.map { termIDs -> Double in
            let shared = termIDs.reduce(0) { $0 + frequency[$1] - 1 }
            return Double(shared) / (log(Double(termIDs.count + 1)) + meanLog)
        }
        let mean = degrees.reduce(0, +) / Double(degrees.count)
        guard mean > 0 else { return degrees.map { _ in 1 - damping } }
        return degrees.map { (1 - damping) + damping * $0 / mean }
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
