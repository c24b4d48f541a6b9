import Foundation
import PhimCore

/// Reads typed values out of a ``SourceNode``, naming the field path in every error.
///
/// Errors are one line, `path: message`, through ``PhimError``'s subject: `clips[0].fps: expected a number,
/// found the string 'fast'`.
struct ValueReader {
    let node: SourceNode
    let path: String

    /// Whether the value is text: a string, or a YAML plain scalar other than null.
    var isText: Bool {
        if case .string = node.kind { return true }
        if case .null = node.kind { return false }
        return node.plainText != nil
    }

    // MARK: Scalars

    /// A finite number (integers and decimals alike).
    func number() throws(PhimError) -> Double {
        guard case .number(let value) = node.kind else { throw typeError("a number") }
        guard value.isFinite else { throw invalid("expected a finite number, found \(formatNumber(value))") }
        return value
    }

    /// A whole number (a decimal with no fraction, such as `1280.0`, counts).
    func integer() throws(PhimError) -> Int {
        guard case .number(let value) = node.kind, value.isFinite, value == value.rounded() else {
            throw typeError("a whole number")
        }
        // `magnitude`, not `abs`: `abs(Int.min)` traps.
        guard let integer = Int(exactly: value), integer.magnitude < 1 << 53 else {
            throw PhimError(.limitExceeded, "\(formatNumber(value)) is out of range (whole numbers must be within ±2^53)", subject: .field(path))
        }
        return integer
    }

    /// Text. YAML plain scalars count as the text written (`text: 2024`); JSON numbers and booleans do not.
    func string() throws(PhimError) -> String {
        if case .string(let value) = node.kind { return value }
        if isText, let plain = node.plainText { return plain }
        throw typeError("a string")
    }

    /// Text that is not empty or only spaces.
    func nonEmptyString() throws(PhimError) -> String {
        let value = try string()
        guard !value.trimmingWhitespace().isEmpty else { throw invalid("must not be empty") }
        return value
    }

    /// `true` or `false` (in YAML also `True`, `TRUE`, …, but not `yes`/`no`).
    func bool() throws(PhimError) -> Bool {
        guard case .bool(let value) = node.kind else {
            if case .string(let text) = node.kind, ["yes", "no", "on", "off", "y", "n"].contains(text.lowercased()) {
                throw invalid("expected true or false, found the string \(text.quoted())")
            }
            throw typeError("true or false")
        }
        return value
    }

    /// A colour: `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`, `rgb(…)`, `rgba(…)` or a CSS name.
    func color() throws(PhimError) -> Color {
        let text = try string()
        guard let color = Color(parsing: text) else {
            throw invalid("\(text.quoted()) is not a colour; use #rrggbb, #rrggbbaa, rgb(r, g, b), rgba(r, g, b, a) or a name such as 'white'")
        }
        return color
    }

    /// One of an enumeration's raw values, with a did-you-mean and the valid names on error.
    func choice<Choice: RawRepresentable & CaseIterable>(_ what: String, _: Choice.Type = Choice.self) throws(PhimError)
        -> Choice where Choice.RawValue == String
    {
        let text = try string()
        if let value = Choice(rawValue: text) { return value }
        let names = Choice.allCases.map(\.rawValue)
        var message = "unknown \(what) \(text.quoted())"
        if let suggestion = closestName(to: text, among: names) { message += "; did you mean \(suggestion.quoted())?" }
        message += (message.hasSuffix("?") ? " Expected" : "; expected") + " one of " + names.joined(separator: ", ")
        throw invalid(message)
    }

    // MARK: Collections

    /// The elements of an array, each with its path (`colors[1]`).
    func array() throws(PhimError) -> [ValueReader] {
        guard case .array(let elements) = node.kind else { throw typeError("an array") }
        return elements.enumerated().map { ValueReader(node: $1, path: "\(path)[\($0)]") }
    }

    /// The members of an object, checked against the fields it may have.
    /// - Parameters:
    ///   - fields: the field names allowed here.
    ///   - explainUnknown: a better message for an unknown field, when the caller knows one (a field that
    ///     belongs to another layer type).
    func object(fields: [String], explainUnknown: (String) -> String? = { _ in nil }) throws(PhimError) -> ObjectReader {
        guard case .object(let members) = node.kind else { throw typeError("an object") }
        var seen: [String: SourceNode] = [:]
        for member in members {
            let memberPath = ObjectReader.childPath(path, member.key)
            guard seen[member.key] == nil else {
                throw PhimError(.invalidInput, "field appears more than once", subject: .field(memberPath))
            }
            guard fields.contains(member.key) else {
                if let explanation = explainUnknown(member.key) {
                    throw PhimError(.invalidInput, explanation, subject: .field(memberPath))
                }
                if let suggestion = closestName(to: member.key, among: fields) {
                    throw PhimError(.invalidInput, "unknown field; did you mean \(suggestion.quoted())?", subject: .field(memberPath))
                }
                throw PhimError(.invalidInput, "unknown field; expected one of \(fields.joined(separator: ", "))",
                                subject: .field(memberPath))
            }
            seen[member.key] = member.value
        }
        return ObjectReader(path: path, members: seen)
    }

    // MARK: Range checks

    /// The number, which must be greater than `lowerBound` (exclusive).
    func number(greaterThan lowerBound: Double) throws(PhimError) -> Double {
        let value = try number()
        guard value > lowerBound else {
            throw invalid("must be greater than \(formatNumber(lowerBound)), got \(formatNumber(value))")
        }
        return value
    }

    /// The number, which must lie in `range`.
    func number(in range: ClosedRange<Double>) throws(PhimError) -> Double {
        let value = try number()
        guard range.contains(value) else { throw outOfRange(value, range.lowerBound, range.upperBound) }
        return value
    }

    /// The number, which must be at least `lowerBound`.
    func number(atLeast lowerBound: Double) throws(PhimError) -> Double {
        let value = try number()
        guard value >= lowerBound else {
            throw invalid("must be at least \(formatNumber(lowerBound)), got \(formatNumber(value))")
        }
        return value
    }

    /// A time in seconds, at least `lowerBound` (greater than it when `exclusive`) and at most ``Limits/maxDuration``,
    /// so that every time in a project converts to samples and frames without overflow.
    func seconds(atLeast lowerBound: Double = 0, exclusive: Bool = false) throws(PhimError) -> Double {
        let value = try number()
        if exclusive {
            guard value > lowerBound else {
                throw invalid("must be greater than \(formatNumber(lowerBound)), got \(formatNumber(value))")
            }
        } else {
            guard value >= lowerBound else {
                throw invalid("must be at least \(formatNumber(lowerBound)), got \(formatNumber(value))")
            }
        }
        guard value.magnitude <= Limits.maxDuration else {
            throw PhimError(.limitExceeded, "\(formatNumber(value)) s is over the limit of \(formatNumber(Limits.maxDuration)) s (24 hours)",
                            subject: .field(path))
        }
        return value
    }

    /// The whole number, which must lie in `range`.
    func integer(in range: ClosedRange<Int>) throws(PhimError) -> Int {
        let value = try integer()
        guard range.contains(value) else {
            throw outOfRange(Double(value), Double(range.lowerBound), Double(range.upperBound))
        }
        return value
    }

    // MARK: Errors

    func invalid(_ message: String) -> PhimError { PhimError(.invalidInput, message, subject: .field(path)) }

    func typeError(_ expected: String) -> PhimError { invalid("expected \(expected), found \(node.summary)") }

    private func outOfRange(_ value: Double, _ lower: Double, _ upper: Double) -> PhimError {
        invalid("must be between \(formatNumber(lower)) and \(formatNumber(upper)), got \(formatNumber(value))")
    }
}

/// The fields of one object, already checked for unknown and repeated names.
struct ObjectReader {
    let path: String
    private let members: [String: SourceNode]

    init(path: String, members: [String: SourceNode]) {
        self.path = path
        self.members = members
    }

    /// The path of a field of the object at `parent` (`clips[0]` + `duration`).
    static func childPath(_ parent: String, _ key: String) -> String {
        let plain = !key.isEmpty && key.unicodeScalars.allSatisfy {
            $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "$"
        }
        let component = plain ? key : "[\"\(key)\"]"
        if parent.isEmpty { return component }
        return plain ? "\(parent).\(component)" : parent + component
    }

    /// Whether the field is present.
    func has(_ key: String) -> Bool { members[key] != nil }

    /// A reader for the field, or `nil` when absent.
    func optional(_ key: String) -> ValueReader? {
        members[key].map { ValueReader(node: $0, path: Self.childPath(path, key)) }
    }

    /// A reader for a field that must be present.
    /// - Throws: `PhimError` naming the field when it is absent.
    func required(_ key: String) throws(PhimError) -> ValueReader {
        guard let reader = optional(key) else {
            throw PhimError(.invalidInput, "required field missing", subject: .field(Self.childPath(path, key)))
        }
        return reader
    }

    /// The path of one of the object's fields.
    func pathOf(_ key: String) -> String { Self.childPath(path, key) }
}

/// The name in `names` closest to `name`, if it is close enough to be a likely typo
/// (a different case, or a few letters' edit away).
func closestName(to name: String, among names: [String]) -> String? {
    let lowered = name.lowercased()
    if let sameLetters = names.first(where: { $0.lowercased() == lowered }) { return sameLetters }
    guard name.count >= 3 else { return nil }  // one or two letters are too short to guess from
    let limit = max(1, min(3, name.count / 3))
    var best: (name: String, distance: Int)?
    for candidate in names {
        let distance = editDistance(lowered, candidate.lowercased())
        if distance <= limit, distance < (best?.distance ?? .max) { best = (candidate, distance) }
    }
    return best?.name
}

/// The Levenshtein distance between two strings, in characters.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
            current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
