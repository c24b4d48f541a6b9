import Foundation
import PhimCore

/// A model's answer, checked against ``LLMPrompt/schema``.
struct LLMScriptReply: Sendable, Equatable {
    struct Scene: Sendable, Equatable {
        var title: String
        var narration: String
        var keywords: [String]
        var bullets: [String]
    }

    var title: String
    var scenes: [Scene]

    /// Parses and checks the model's JSON (a surrounding Markdown code fence is tolerated, nothing else).
    /// - Throws: `PhimError(.operationFailed, …, subject: .option("llm"))` naming the first field that does not match.
    static func parse(_ content: String) throws(PhimError) -> LLMScriptReply {
        var text = content.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("```") {
            // ```json … ```
            text = String(text.drop(while: { $0 != "\n" })).trimmingCharacters(in: .whitespacesAndNewlines)
            if text.hasSuffix("```") { text = String(text.dropLast(3)).trimmingCharacters(in: .whitespacesAndNewlines) }
        }
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(text.utf8))
        } catch {
            throw LLMScriptWriter.failure("the model's answer is not valid JSON\(LLMScriptWriter.snippet(Data(text.utf8), prefix: ": "))")
        }
        guard let object = json as? [String: Any] else { throw mismatch("the answer must be a JSON object") }
        try checkKeys(object, allowed: ["title", "scenes"], at: "")
        let title = try string(object["title"], at: "title", nonEmpty: true)
        guard let sceneValues = object["scenes"] else { throw mismatch("'scenes' is missing") }
        guard let sceneList = sceneValues as? [Any] else { throw mismatch("'scenes' must be an array") }
        guard !sceneList.isEmpty else { throw LLMScriptWriter.failure("the model's answer has no scenes") }
        var scenes: [Scene] = []
        for (index, value) in sceneList.enumerated() {
            let path = "scenes[\(index)]"
            guard let scene = value as? [String: Any] else { throw mismatch("'\(path)' must be an object") }
            try checkKeys(scene, allowed: ["title", "narration", "keywords", "bullets"], at: path + ".")
            scenes.append(Scene(
                title: try string(scene["title"], at: path + ".title", nonEmpty: false),
                narration: try string(scene["narration"], at: path + ".narration", nonEmpty: true),
                keywords: try strings(scene["keywords"], at: path + ".keywords"),
                bullets: try strings(scene["bullets"], at: path + ".bullets")))
        }
        return LLMScriptReply(title: title, scenes: scenes)
    }

    /// The script: with three scenes or more the first is the hook and the last the closing; with two, a hook and a
    /// body; with one, a body.
    func script(language: ScriptLanguage, style: ScriptStyle) -> Script {
        let splitter = SentenceSplitter(language: language)
        let figures = FigureExtractor(language: language)
        let keywordExtractor = KeywordExtractor(sentences: scenes.flatMap { splitter.sentences(in: $0.narration.nfc) },
                                                tokenizer: WordTokenizer(language: language))
        let scriptTitle = title.nfc.trimmingCharacters(in: .whitespacesAndNewlines)
        let result = scenes.enumerated().map { index, scene -> ScriptScene in
            let role: ScriptScene.Role = switch (index, scenes.count) {
            case (0, 2...): .hook
            case (scenes.count - 1, 3...): .closing
            default: .body
            }
            let sentences = splitter.sentences(in: scene.narration.nfc)
            let keywords = Array(scene.keywords.map { $0.nfc.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }.prefix(4))
            let bullets = Array(scene.bullets.map { $0.nfc.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }.prefix(5))
            var sceneFigures: [Figure] = []
            for text in sentences + bullets {
                for figure in figures.figures(in: text) where !sceneFigures.contains(where: { $0.text == figure.text }) {
                    sceneFigures.append(figure)
                }
            }
            var sceneTitle = scene.title.nfc.trimmingCharacters(in: .whitespacesAndNewlines)
            if sceneTitle.isEmpty {
                sceneTitle = role == .hook ? scriptTitle : (keywords.first ?? keywordExtractor.keywords(in: sentences, limit: 1).first ?? scriptTitle)
            }
            return ScriptScene(role: role, title: sceneTitle, sentences: sentences,
                               keywords: keywords.isEmpty ? keywordExtractor.keywords(in: sentences) : keywords,
                               bullets: bullets, figures: sceneFigures)
        }
        return Script(language: language, style: style, title: scriptTitle, scenes: result)
    }

    private static func mismatch(_ detail: String) -> PhimError {
        LLMScriptWriter.failure("the model's answer does not match the script schema: \(detail)")
    }

    private static func checkKeys(_ object: [String: Any], allowed: Set<String>, at path: String) throws(PhimError) {
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw mismatch("unknown field '\(path)\(unknown)'")
        }
    }

    private static func string(_ value: Any?, at path: String, nonEmpty: Bool) throws(PhimError) -> String {
        guard let value else { throw mismatch("'\(path)' is missing") }
        guard let text = value as? String else { throw mismatch("'\(path)' must be a string") }
        if nonEmpty, text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw mismatch("'\(path)' is empty") }
        return text
    }

    private static func strings(_ value: Any?, at path: String) throws(PhimError) -> [String] {
        guard let value else { throw mismatch("'\(path)' is missing") }
        guard let list = value as? [Any] else { throw mismatch("'\(path)' must be an array of strings") }
        return try list.enumerated().map { (index, item) throws(PhimError) -> String in
            guard let text = item as? String else { throw mismatch("'\(path)[\(index)]' must be a string") }
            return text
        }
    }
}
