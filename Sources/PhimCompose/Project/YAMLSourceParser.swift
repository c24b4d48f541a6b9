import PhimCore
import Yams

/// Parses YAML with Yams into a ``SourceNode`` tree.
///
/// Plain scalars are typed by YAML 1.2's core schema (so `yes`, `on` and `2024-01-01` stay strings, while
/// `true`, `3` and `0.5` are a boolean and numbers); quoted and block scalars are always strings; explicit
/// `!!str`, `!!int`, `!!float`, `!!bool` and `!!null` tags are honoured; anchors, aliases and `<<` merge keys work.
enum YAMLSourceParser {
    /// The most nodes a document may expand to once aliases are followed (guards against "billion laughs").
    static let maxNodeCount = 250_000
    /// The deepest flow nesting (`[[[[…`) accepted before parsing, so that hostile input cannot exhaust the stack.
    static let maxFlowDepth = 128

    /// Parses `text` as one YAML document.
    /// - Returns: `nil` when the document has no content (only comments or whitespace).
    /// - Throws: `PhimError` (`.invalidInput`) naming the file, line and column of a syntax error, or
    ///   (`.limitExceeded`) for documents nested or aliased beyond the limits.
    static func parse(_ text: String, fileName: String) throws(PhimError) -> SourceNode? {
        try checkFlowDepth(text, fileName: fileName)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text, .basic)
        } catch let error as YamlError {
            let (place, problem) = describe(error)
            throw syntaxError(problem, at: place, fileName: fileName)
        } catch {
            throw syntaxError("\(error)", at: nil, fileName: fileName)
        }
        guard let root else { return nil }
        var converter = Converter(fileName: fileName)
        return try converter.convert(root)
    }

    /// Where in a YAML file: a line, and a column when known (both from 1).
    typealias Place = (line: Int, column: Int?)

    /// `file: invalid YAML at line L, column C: problem`.
    static func syntaxError(_ problem: String, at place: Place?, fileName: String) -> PhimError {
        var where_ = ""
        if let place { where_ = " at line \(place.line)" + (place.column.map { ", column \($0)" } ?? "") }
        return PhimError(.invalidInput, "invalid YAML\(where_): \(problem)", subject: .file(fileName))
    }

    /// Where a Yams error happened and what it was, in one line.
    private static func describe(_ error: YamlError) -> (Place?, String) {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let during = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            return ((mark.line, mark.column), problem + during)
        case let .duplicatedKeysInMapping(duplicates, context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return ((context.mark.line, nil), "duplicate key \(keys)")
        case let .reader(problem, _, _, _):
            return (nil, problem)
        default:
            return (nil, "\(error)")
        }
    }

    /// Refuses deeply nested flow collections before Yams' recursive composer sees them.
    private static func checkFlowDepth(_ text: String, fileName: String) throws(PhimError) {
        var depth = 0, quote: UInt8? = nil, inComment = false
        for byte in text.utf8 {
            if inComment {
                if byte == 0x0A { inComment = false }
                continue
            }
            if let open = quote {
                if byte == open || byte == 0x0A { quote = nil }  // a heuristic: stray apostrophes end at the line
                continue
            }
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "'"): quote = byte
            case UInt8(ascii: "#"): inComment = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > maxFlowDepth {
                    throw PhimError(.limitExceeded, "nesting deeper than \(maxFlowDepth) levels", subject: .file(fileName))
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth = max(0, depth - 1)
            default: break
            }
        }
    }

    private struct Converter {
        let fileName: String
        var nodeCount = 0

        init(fileName: String) { self.fileName = fileName }

        mutating func convert(_ node: Node) throws(PhimError) -> SourceNode {
            nodeCount += 1
            guard nodeCount <= YAMLSourceParser.maxNodeCount else {
                throw PhimError(.limitExceeded, "more than \(YAMLSourceParser.maxNodeCount) values once aliases are expanded",
                                subject: .file(fileName))
            }
            switch node {
            case .scalar(let scalar):
                return try convert(scalar)
            case .sequence(let sequence):
                var elements: [SourceNode] = []
                for element in sequence { elements.append(try convert(element)) }
                return SourceNode(.array(elements))
            case .mapping(let mapping):
                return SourceNode(.object(try members(of: mapping)))
            case .alias(let alias):
                throw error("unresolved alias \(String(describing: alias.anchor).quoted())", at: alias.mark)
            }
        }

        /// The members of a mapping, with `<<` merge keys expanded (explicit keys win over merged ones).
        private mutating func members(of mapping: Node.Mapping) throws(PhimError) -> [SourceMember] {
            var explicit: [SourceMember] = [], merged: [SourceMember] = []
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else {
                    throw error("keys must be plain text, not collections", at: key.mark)
                }
                // Only the style tells a merge key from a quoted "<<": Yams resolves keys' tags while checking for
                // duplicates.
                if keyScalar.string == "<<", keyScalar.style == .plain {
                    for source in value.sequence.map(Array.init) ?? [value] {
                        guard case .mapping(let sourceMapping) = source else {
                            throw error("a '<<' merge key needs a mapping or a list of mappings", at: source.mark)
                        }
                        for member in try members(of: sourceMapping)
                        where !merged.contains(where: { $0.key == member.key }) {
                            merged.append(member)
                        }
                    }
                    continue
                }
                explicit.append(SourceMember(key: keyScalar.string, value: try convert(value)))
            }
            return explicit + merged.filter { member in !explicit.contains { $0.key == member.key } }
        }

        private func convert(_ scalar: Node.Scalar) throws(PhimError) -> SourceNode {
            let text = scalar.string
            switch scalar.tag.description {
            case "":
                return SourceNode(Self.resolvePlain(text), plainText: text)
            case Tag.Name.str.rawValue:
                return SourceNode(.string(text))
            case Tag.Name.int.rawValue, Tag.Name.float.rawValue:
                guard case .number = Self.resolvePlain(text) else {
                    throw error("\(text.quoted()) is not a number", at: scalar.mark)
                }
                return SourceNode(Self.resolvePlain(text))
            case Tag.Name.bool.rawValue:
                guard case .bool = Self.resolvePlain(text) else {
                    throw error("\(text.quoted()) is not true or false", at: scalar.mark)
                }
                return SourceNode(Self.resolvePlain(text))
            case Tag.Name.null.rawValue:
                return SourceNode(.null)
            case let tag:
                throw error("unsupported tag \(String(describing: tag).quoted())", at: scalar.mark)
            }
        }

        /// Types a plain scalar by YAML 1.2's core schema.
        static func resolvePlain(_ text: String) -> SourceNode.Kind {
            switch text {
            case "", "~", "null", "Null", "NULL": return .null
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .number(.infinity)
            case "-.inf", "-.Inf", "-.INF": return .number(-.infinity)
            case ".nan", ".NaN", ".NAN": return .number(.nan)
            default: break
            }
            if text.hasPrefix("0x") || text.hasPrefix("0o") {
                let digits = text.dropFirst(2)
                let radix = text.hasPrefix("0x") ? 16 : 8
                if !digits.isEmpty, let value = Int64(digits, radix: radix) { return .number(Double(value)) }
                return .string(text)
            }
            let allowed = Set("0123456789+-.eE")
            guard let first = text.first, first.isNumber || first == "-" || first == "+" || first == ".",
                  text.allSatisfy(allowed.contains), text.contains(where: \.isNumber),
                  let value = Double(text) else { return .string(text) }
            return .number(value)
        }

        private func error(_ problem: String, at mark: Mark?) -> PhimError {
            YAMLSourceParser.syntaxError(problem, at: mark.map { ($0.line, $0.column) }, fileName: fileName)
        }
    }
}
