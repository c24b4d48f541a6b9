import Foundation
import PhimCore

/// The structure of an input text: a title and sections of paragraphs and list items.
public struct SourceDocument: Sendable, Equatable {
    /// What the input is, which decides how much can be extracted from it.
    public enum Kind: Sendable {
        /// Prose: paragraphs of sentences, with or without headings.
        case article
        /// Mostly list items or short lines (talking points).
        case outline
        /// A single short line naming a subject.
        case topic
    }

    /// A heading and the text under it.
    public struct Section: Sendable, Equatable {
        /// The heading, without `#`s or emphasis; `nil` for text before the first heading.
        public var heading: String?
        /// Paragraphs of prose, each one line of plain text (inline Markdown removed, line breaks joined).
        public var paragraphs: [String]
        /// List items and short lines, in order, as plain text.
        public var bullets: [String]
        /// Where each list item stands among the paragraphs: the number of paragraphs before it (so the original
        /// order of text and lists can be rebuilt). Same count as ``bullets``.
        public var bulletOffsets: [Int]

        /// - Parameter bulletOffsets: the number of paragraphs before each list item; `nil` puts every item after
        ///   the paragraphs.
        public init(heading: String?, paragraphs: [String] = [], bullets: [String] = [], bulletOffsets: [Int]? = nil) {
            self.heading = heading
            self.paragraphs = paragraphs
            self.bullets = bullets
            self.bulletOffsets = bulletOffsets ?? Array(repeating: paragraphs.count, count: bullets.count)
        }

        /// `true` when the section has neither paragraphs nor list items.
        public var isEmpty: Bool { paragraphs.isEmpty && bullets.isEmpty }
    }

    public var kind: Kind
    public var title: String?
    public var sections: [Section]

    public init(kind: Kind, title: String?, sections: [Section]) {
        self.kind = kind
        self.title = title
        self.sections = sections
    }

    /// Reads Markdown or plain text.
    ///
    /// Markdown: `#` … `######` and underlined (`===`, `---`) headings, paragraphs, `-`/`*`/`+`/`1.` lists (nested
    /// items flattened), `>` quotes as text; `**emphasis**`, `` `code` `` and HTML tags lose their markup,
    /// `[links](url)` become their text, images, code blocks, tables and front matter are dropped. When the
    /// document starts with a heading of a level no other heading has (usually the one `#`), that heading is the
    /// title.
    ///
    /// Plain text (no Markdown heading): paragraphs are separated by blank lines; a short first line without final
    /// punctuation is the title; a short line on its own without final punctuation (or ending in `:`), or in capitals,
    /// is a heading; a block of several short lines is a list.
    ///
    /// The kind is ``Kind/topic`` for a single short line (then ``title`` is that line and there are no sections),
    /// ``Kind/outline`` when list items and short lines make up most of the text, else ``Kind/article``.
    /// - Complexity: O(n) in the length of `text`.
    public static func parse(_ text: String) -> SourceDocument {
        MarkdownReader(text: text.nfc).read()
    }
}

/// A block of the input, before sections are formed.
private enum Block: Equatable {
    case heading(level: Int, text: String)
    case paragraph(String)
    case item(String)
    /// A line of a block of short lines in plain text.
    case shortLine(String)
}

private struct MarkdownReader {
    let text: String

    func read() -> SourceDocument {
        let lines = contentLines()
        let hasMarkdownHeadings = lines.contains { Self.atxHeading($0) != nil }
            || zip(lines, lines.dropFirst()).contains { !$0.0.trimmed.isEmpty && Self.isSetextUnderline($0.1) && Self.listItem($0.0) == nil }
        var blocks = self.blocks(lines, markdownHeadings: hasMarkdownHeadings)
        blocks = blocks.compactMap { block in
            switch block {
            case .heading(let level, let text): let clean = Inline.clean(text); return clean.isEmpty ? nil : .heading(level: level, text: clean)
            case .paragraph(let text): let clean = Inline.clean(text); return clean.isEmpty ? nil : .paragraph(clean)
            case .item(let text): let clean = Inline.clean(text); return clean.isEmpty ? nil : .item(clean)
            case .shortLine(let text): let clean = Inline.clean(text); return clean.isEmpty ? nil : .shortLine(clean)
            }
        }
        if !hasMarkdownHeadings { blocks = inferHeadings(blocks) }

        // A single short line is a topic.
        if blocks.count == 1, let only = blocks.first, Self.isTopicLine(only) {
            return SourceDocument(kind: .topic, title: Self.blockText(only), sections: [])
        }

        var title: String?
        if case .heading(let level, let text)? = blocks.first {
            let others = blocks.dropFirst().compactMap { block -> Int? in
                if case .heading(let other, _) = block { return other } else { return nil }
            }
            if !others.contains(where: { $0 <= level }) {
                title = text
                blocks.removeFirst()
            }
        }

        var sections: [SourceDocument.Section] = []
        var current = SourceDocument.Section(heading: nil)
        for block in blocks {
            switch block {
            case .heading(_, let text):
                if !current.isEmpty || current.heading != nil { sections.append(current) }
                current = SourceDocument.Section(heading: text)
            case .paragraph(let text): current.paragraphs.append(text)
            case .item(let text), .shortLine(let text):
                current.bullets.append(text)
                current.bulletOffsets.append(current.paragraphs.count)
            }
        }
        if !current.isEmpty || current.heading != nil { sections.append(current) }

        return SourceDocument(kind: Self.kind(of: blocks), title: title, sections: sections)
    }

    // MARK: Lines and blocks

    /// The lines that carry text: no front matter, fenced code blocks, HTML comments or tables. (Indented code is
    /// not recognised: plain text often indents its paragraphs.)
    private func contentLines() -> [String] {
        var lines = text.components(separatedBy: "\n").map { $0.replacingOccurrences(of: "\t", with: "    ") }
        // YAML front matter.
        if lines.first?.trimmed == "---", let end = lines.dropFirst().firstIndex(where: { $0.trimmed == "---" || $0.trimmed == "..." }) {
            lines.removeSubrange(0...end)
        }
        var result: [String] = []
        var fence: String?
        var inComment = false
        for line in lines {
            let trimmed = line.trimmed
            if let open = fence {
                if trimmed.hasPrefix(open) { fence = nil }
                continue
            }
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                fence = String(trimmed.prefix(3))
                continue
            }
            if inComment {
                if trimmed.contains("-->") { inComment = false }
                continue
            }
            if trimmed.hasPrefix("<!--") {
                if !trimmed.contains("-->") { inComment = true }
                continue
            }
            if trimmed.hasPrefix("|") { result.append(""); continue }  // table row
            result.append(line)
        }
        return result
    }

    private func blocks(_ lines: [String], markdownHeadings: Bool) -> [Block] {
        var blocks: [Block] = []
        var paragraph: [String] = []
        var item: String?

        func flushParagraph() {
            guard !paragraph.isEmpty else { return }
            if !markdownHeadings, blocks.isEmpty, paragraph.count >= 2, let first = paragraph.first,
               first.trimmed.split(separator: " ").count <= 12, let last = first.trimmed.last, !Self.finalPunctuation.contains(last),
               Double(first.trimmed.count) < 0.6 * Double(paragraph[1].trimmed.count), !paragraph.allSatisfy(Self.isShortLine) {
                // Plain text whose first line, a title, runs straight into the text (a first line much shorter than
                // the next, so not a hard-wrapped paragraph).
                blocks.append(.heading(level: 1, text: first.trimmed))
                paragraph.removeFirst()
            }
            if !markdownHeadings, paragraph.count >= 2, paragraph.allSatisfy(Self.isShortLine) {
                blocks += paragraph.map { .shortLine($0.trimmed) }
            } else {
                blocks.append(.paragraph(paragraph.map(\.trimmed).joined(separator: " ")))
            }
            paragraph.removeAll()
        }
        func flushItem() {
            if let text = item { blocks.append(.item(text)) }
            item = nil
        }

        for (index, rawLine) in lines.enumerated() {
            var line = rawLine
            // Quotes read as text.
            while line.trimmed.hasPrefix(">") {
                line = String(line.trimmed.dropFirst())
            }
            let trimmed = line.trimmed
            if trimmed.isEmpty {
                flushParagraph()
                flushItem()
                continue
            }
            if let heading = Self.atxHeading(trimmed) {
                flushParagraph(); flushItem()
                blocks.append(.heading(level: heading.level, text: heading.text))
                continue
            }
            if Self.isSetextUnderline(trimmed) {
                // `Title\n=====` or `Section\n-----`: the paragraph line above is a heading.
                if paragraph.count == 1, item == nil {
                    blocks.append(.heading(level: trimmed.hasPrefix("=") ? 1 : 2, text: paragraph[0].trimmed))
                    paragraph.removeAll()
                } else {
                    flushParagraph(); flushItem()  // a thematic break
                }
                continue
            }
            if Self.isThematicBreak(trimmed) {
                flushParagraph(); flushItem()
                continue
            }
            if let text = Self.listItem(line) {
                flushParagraph(); flushItem()
                item = text
                continue
            }
            if item != nil, rawLine.hasPrefix(" ") || lines[index - 1].trimmed.isEmpty == false && paragraph.isEmpty {
                // A continuation of the list item (indented, or a lazy continuation line).
                item! += " " + trimmed
                continue
            }
            flushItem()
            paragraph.append(line)
        }
        flushParagraph()
        flushItem()
        return blocks
    }

    /// Plain text: a lone short line without final punctuation followed by text is a heading; so is a short line ending
    /// in `:` before a list, and a line in capitals. The first such line is the title.
    private func inferHeadings(_ blocks: [Block]) -> [Block] {
        var result = blocks
        for index in blocks.indices {
            guard case .paragraph(let text) = blocks[index], index + 1 < blocks.count else { continue }
            let words = text.split(separator: " ").count
            guard words <= 12, text.count <= 90 else { continue }
            let next = blocks[index + 1]
            let nextIsText: Bool
            switch next {
            case .paragraph, .item, .shortLine: nextIsText = true
            case .heading: nextIsText = false
            }
            let last = text.last!
            let isCapitals = text.contains(where: \.isLetter) && text == text.uppercased() && words <= 10
            if nextIsText, !Self.finalPunctuation.contains(last) || isCapitals {
                result[index] = .heading(level: index == 0 ? 1 : 2, text: isCapitals ? Self.sentenceCase(text) : text)
            } else if last == ":", words <= 8, case .item = next {
                result[index] = .heading(level: 2, text: String(text.dropLast()).trimmed)
            }
        }
        // The title: a first heading-like line, or a first short line of a block of short lines.
        if case .shortLine(let first)? = result.first, result.count > 2, !Self.finalPunctuation.contains(first.last!) {
            result[0] = .heading(level: 1, text: first)
        }
        // Inferred sections are level 2 under a level-1 title: the first heading becomes the title only if it came first.
        return result
    }

    private static func kind(of blocks: [Block]) -> SourceDocument.Kind {
        var listLike = 0, prose = 0
        for block in blocks {
            switch block {
            case .heading: break
            case .item, .shortLine: listLike += 1
            case .paragraph(let text):
                if text.split(separator: " ").count <= 12 { listLike += 1 } else { prose += 1 }
            }
        }
        guard listLike + prose > 0 else { return .topic }
        // Prose paragraphs weigh more than items: one paragraph says as much as a few talking points.
        return listLike >= 2 && Double(listLike) >= 3 * Double(prose) ? .outline : .article
    }

    // MARK: Line shapes

    static let finalPunctuation: Set<Character> = [".", "!", "?", "…", ",", ";", ":", "\"", "”", ")"]

    /// One sentence of at most 20 words.
    private static func isTopicLine(_ block: Block) -> Bool {
        let text = blockText(block)
        return text.split(separator: " ").count <= 20 && text.count <= 160
            && SentenceSplitter(language: LanguageDetector.detect(text)).sentences(in: text).count <= 1
    }

    private static func blockText(_ block: Block) -> String {
        switch block {
        case .heading(_, let text), .paragraph(let text), .item(let text), .shortLine(let text): return text
        }
    }

    /// A line of an outline typed without list markers: at most 8 words.
    private static func isShortLine(_ line: String) -> Bool {
        let trimmed = line.trimmed
        return trimmed.split(separator: " ").count <= 8 && Self.listItem(line) == nil
    }

    static func atxHeading(_ line: String) -> (level: Int, text: String)? {
        let trimmed = line.trimmed
        guard trimmed.hasPrefix("#") else { return nil }
        let level = trimmed.prefix(while: { $0 == "#" }).count
        guard level <= 6 else { return nil }
        let rest = trimmed.dropFirst(level)
        guard rest.isEmpty || rest.first == " " else { return nil }
        var text = rest.trimmed
        // Closing hashes: `## Title ##`.
        while text.hasSuffix("#") { text.removeLast() }
        return (level, text.trimmed)
    }

    static func isSetextUnderline(_ line: String) -> Bool {
        let trimmed = line.trimmed
        return trimmed.count >= 2 && (trimmed.allSatisfy { $0 == "=" } || trimmed.allSatisfy { $0 == "-" })
    }

    static func isThematicBreak(_ line: String) -> Bool {
        let compact = line.filter { !$0.isWhitespace }
        return compact.count >= 3 && (compact.allSatisfy { $0 == "*" } || compact.allSatisfy { $0 == "_" } || compact.allSatisfy { $0 == "-" })
    }

    /// The text of a list item line (`- x`, `* x`, `+ x`, `• x`, `1. x`, `1) x`, `- [ ] x`), or `nil`.
    static func listItem(_ line: String) -> String? {
        let trimmed = line.trimmed
        var rest: Substring
        if let first = trimmed.first, "-*+•–".contains(first), trimmed.dropFirst().first == " " {
            rest = trimmed.dropFirst(2)
        } else {
            let digits = trimmed.prefix(while: \.isNumber)
            guard !digits.isEmpty, digits.count <= 3 else { return nil }
            let after = trimmed.dropFirst(digits.count)
            guard let marker = after.first, marker == "." || marker == ")", after.dropFirst().first == " " else { return nil }
            rest = after.dropFirst(2)
        }
        if rest.hasPrefix("[ ] ") || rest.hasPrefix("[x] ") || rest.hasPrefix("[X] ") { rest = rest.dropFirst(4) }
        let text = rest.trimmed
        return text.isEmpty ? nil : text
    }

    private static func sentenceCase(_ text: String) -> String {
        let lower = text.lowercased()
        return lower.prefix(1).uppercased() + lower.dropFirst()
    }
}

/// Inline Markdown to plain text.
enum Inline {
    /// Drops images and HTML tags, keeps the text of links, removes emphasis and code marks, collapses spaces.
    static func clean(_ text: String) -> String {
        var result = text
        // Each rewrite runs only when its marker occurs: most prose has none, and regular expressions are slow.
        if result.contains("[") {
            result = result.replacing(#/!\[[^\]]*\]\([^)]*\)/#, with: "")                 // images
            result = result.replacing(#/!\[[^\]]*\]\[[^\]]*\]/#, with: "")                 // reference images
            result = result.replacing(#/\[([^\]]+)\]\([^)]*\)/#) { String($0.output.1) }  // links
            result = result.replacing(#/\[([^\]]+)\]\[[^\]]*\]/#) { String($0.output.1) } // reference links
        }
        if result.contains("<") {
            result = result.replacing(#/<(https?://[^>]+)>/#) { String($0.output.1) }      // autolinks
            result = result.replacing(#/<\/?[A-Za-z][^>]*>/#, with: "")                   // HTML tags
        }
        if result.contains("`") {
            result = result.replacing(#/`+([^`]*)`+/#) { String($0.output.1) }            // code
        }
        if result.contains("*") || result.contains("_") {
            result = result.replacing(#/(\*\*|__)(\S(?:.*?\S)?)\1/#) { String($0.output.2) }  // strong
            result = result.replacing(#/(^|[^\w*])\*(\S(?:[^*]*?\S)?)\*(?![\w*])/#) { $0.output.1 + $0.output.2 }  // *em*
            result = result.replacing(#/(^|[^\w_])_(\S(?:[^_]*?\S)?)_(?![\w_])/#) { $0.output.1 + $0.output.2 }   // _em_
        }
        if result.contains("~~") {
            result = result.replacing(#/~~(\S(?:.*?\S)?)~~/#) { String($0.output.1) }     // strikethrough
        }
        if result.contains("\\") { result = result.replacingOccurrences(of: "\\", with: "") }
        return result.collapsingWhitespace
    }
}

extension StringProtocol {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }

    /// Runs of whitespace as single spaces, without leading or trailing whitespace.
    var collapsingWhitespace: String { split(whereSeparator: \.isWhitespace).joined(separator: " ") }
}
