import Foundation

/// One scene of a narrated video: what is said, and what can be shown while it is said.
public struct ScriptScene: Sendable, Equatable {
    /// Where a scene sits in the script.
    public enum Role: String, Sendable {
        /// The opening line that sets up the subject.
        case hook
        /// Content taken from (or written for) the input.
        case body
        /// The closing line: a thank-you, a summary or a call to action.
        case closing
    }

    public var role: Role
    /// A heading for the scene: the section heading, else a few of its keywords.
    public var title: String
    /// The narration, one sentence per element, in the order they are spoken.
    public var sentences: [String]
    /// Up to 4 words or short phrases the scene is about, as written in the text (original case and diacritics),
    /// best first.
    public var keywords: [String]
    /// Up to 5 short list items to show on screen; may be empty.
    public var bullets: [String]
    /// The numbers found in the scene's sentences and bullets, for charts.
    public var figures: [Figure]

    public init(role: Role, title: String, sentences: [String], keywords: [String] = [], bullets: [String] = [],
                figures: [Figure] = []) {
        self.role = role
        self.title = title
        self.sentences = sentences
        self.keywords = keywords
        self.bullets = bullets
        self.figures = figures
    }

    /// The words of the scene's narration (see ``Script/wordCount(of:)``).
    public var wordCount: Int { sentences.reduce(0) { $0 + Script.wordCount(of: $1) } }

    /// The narration as one string.
    public var narration: String { sentences.joined(separator: " ") }
}

/// A narration script: a title and scenes, from the hook to the closing line.
public struct Script: Sendable, Equatable {
    public var language: ScriptLanguage
    public var style: ScriptStyle
    public var title: String
    public var scenes: [ScriptScene]

    public init(language: ScriptLanguage, style: ScriptStyle, title: String, scenes: [ScriptScene]) {
        self.language = language
        self.style = style
        self.title = title
        self.scenes = scenes
    }

    /// The words in all narration sentences.
    public var wordCount: Int { scenes.reduce(0) { $0 + $1.wordCount } }

    /// The number of spoken words in `text`: pieces between spaces that hold a letter or a digit (`40%` and `3.5` are
    /// one word each, a dash is none). Every budget in ``ScriptWriter`` counts this way.
    public static func wordCount(of text: String) -> Int {
        text.split(whereSeparator: \.isWhitespace).filter { $0.contains { $0.isLetter || $0.isNumber } }.count
    }
}
