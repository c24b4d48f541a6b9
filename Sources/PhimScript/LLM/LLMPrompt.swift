import Foundation

/// What ``LLMScriptWriter`` asks the model.
enum LLMPrompt {
    /// The JSON schema of the answer (sent as `response_format.json_schema.schema` and shown in the prompt).
    static var schema: [String: Any] {
        [
        "type": "object",
        "additionalProperties": false,
        "required": ["title", "scenes"],
        "properties": [
            "title": ["type": "string"],
            "scenes": [
                "type": "array",
                "minItems": 1,
                "items": [
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["title", "narration", "keywords", "bullets"],
                    "properties": [
                        "title": ["type": "string"],
                        "narration": ["type": "string"],
                        "keywords": ["type": "array", "items": ["type": "string"], "maxItems": 4],
                        "bullets": ["type": "array", "items": ["type": "string"], "maxItems": 5],
                    ] as [String: Any],
                ] as [String: Any],
            ] as [String: Any],
        ] as [String: Any],
        ]
    }

    static var schemaText: String {
        let data = (try? JSONSerialization.data(withJSONObject: schema, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    static var system: String {
        """
        You write narration scripts for short narrated videos. Reply with one JSON object only (no other text, no code \
        fences) that matches this JSON schema: \(schemaText)
        The first scene is a hook that makes the viewer curious about the topic; the middle scenes carry the content in \
        the order of the source; the last scene is a short closing line. Each scene's "narration" is one to three \
        complete sentences written to be read aloud (no lists, no markdown, no emoji). "title" is a short on-screen \
        heading, "keywords" up to 4 words or short phrases taken from the narration as written, "bullets" up to 5 very \
        short on-screen points (may be empty). Keep numbers from the source exact; do not invent facts.
        """
    }

    static func user(text: String, language: ScriptLanguage, style: ScriptStyle, targetWords: Int?) -> String {
        let languageLine = switch language {
        case .vietnamese: "Language: Vietnamese. Write natural Vietnamese with full, correct diacritics."
        case .english: "Language: English."
        }
        let styleLine = switch style {
        case .explainer: "Style: explainer. Explain the subject clearly and simply, as to a curious friend."
        case .ad: "Style: advertisement. Short, energetic and persuasive; end with a call to action."
        case .tutorial: "Style: tutorial. Teach it step by step, in the order a learner would follow."
        case .story: "Style: story. Tell it as a story with a beginning, a middle and an end."
        }
        let lengthLine = targetWords.map {
            "Length: about \($0) words of narration in total across all scenes (it must fit the video's duration)."
        } ?? "Length: concise; cover the main points only."
        return """
        \(languageLine)
        \(styleLine)
        \(lengthLine)
        Answer with the JSON object only.
        Source text (an article, an outline or just a topic):
        <<<
        \(text)
        >>>
        """
    }
}
