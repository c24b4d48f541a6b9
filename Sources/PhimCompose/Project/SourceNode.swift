/// A value parsed from a JSON or YAML project file, before it is read into the project model.
///
/// Both parsers produce this one shape, so that the reader (and its error messages) cannot tell JSON from YAML
/// apart except where YAML's plain scalars deserve leniency (see ``plainText``).
struct SourceNode: Sendable {
    enum Kind: Sendable {
        case null
        case bool(Bool)
        case number(Double)
        case string(String)
        case array([SourceNode])
        case object([SourceMember])
    }

    var kind: Kind
    /// For a YAML plain (unquoted) scalar, the text as written. A field that expects text accepts it, so
    /// `text: 2024` or `text: yes` mean the strings "2024" and "yes" rather than a type error.
    var plainText: String?

    init(_ kind: Kind, plainText: String? = nil) {
        self.kind = kind
        self.plainText = plainText
    }

    /// How the value reads in an error message: `a number (3)`, `the string 'fast'`, `an object`.
    var summary: String {
        switch kind {
        case .null: return "null"
        case .bool(let value): return "the boolean \(value)"
        case .number(let value): return "the number \(formatNumber(value))"
        case .string(let value):
            return "the string \(value.quoted(limit: 40))"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// One `key: value` pair of an object, in file order.
struct SourceMember: Sendable {
    var key: String
    var value: SourceNode
}

/// A number as a person would write it: `2` rather than `2.0`, `1.5`, `0.333…` in full precision.
func formatNumber(_ value: Double) -> String {
    if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    // Very large and very small numbers in short scientific notation (`1e+300`), never hundreds of digits.
    if value.isFinite, abs(value) >= 1e15 || (value != 0 && abs(value) < 1e-6) { return String(format: "%.6g", value) }
    return String(value)
}
