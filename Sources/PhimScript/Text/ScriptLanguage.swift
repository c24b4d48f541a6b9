/// The languages a script can be written in.
public enum ScriptLanguage: String, Sendable, CaseIterable {
    case vietnamese = "vi"
    case english = "en"
}

/// The tone of a script: it picks the hook and closing lines (and the LLM prompt).
public enum ScriptStyle: String, Sendable, CaseIterable {
    /// Explains a subject: "Have you ever wondered …?"
    case explainer
    /// Sells something: a short pitch that ends with a call to action.
    case ad
    /// Teaches how to do something, step by step.
    case tutorial
    /// Tells a story.
    case story
}
