/// Web and e-mail addresses, shortened to something a voice can say: a URL is read as its host without `www.`
/// (`https://www.example.com/a/b?c` → "example dot com"); an e-mail address is read whole.
struct WebAddress: Sendable {
    /// The word for `.` ("dot", "chấm").
    var dot: String
    /// The word for `@` ("at", "a còng").
    var at: String
    /// Words for `_` and `-` inside an e-mail's local part.
    var underscore: String
    var dash: String
    /// How one label of a host is said (e.g. short country codes spelled).
    var label: @Sendable (String) -> [String]

    /// Top-level domains that make a bare `name.tld` an address (others need `http://`, `https://` or `www.`).
    static let topLevelDomains: Set<String> = [
        "com", "net", "org", "edu", "gov", "int", "mil", "info", "biz", "io", "ai", "app", "dev", "me", "tv", "co", "xyz",
        "online", "site", "news", "asia", "vn", "uk", "us", "de", "fr", "jp", "cn", "kr", "au", "ca", "sg", "eu",
    ]

    /// The words for `core` when it is a URL, a bare domain or an e-mail address; `nil` otherwise.
    /// - Complexity: O(n) in the length of the token.
    func read(_ core: String) -> [String]? {
        if let atSign = core.firstIndex(of: "@") {
            let local = core[..<atSign], domain = core[core.index(after: atSign)...]
            guard !local.isEmpty, local.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._%+-".contains($0)) }),
                  let labels = Self.hostLabels(domain, requireKnownDomain: false) else { return nil }
            var words: [String] = []
            var piece = ""
            for character in local {
                switch character {
                case ".", "_", "-":
                    if !piece.isEmpty { words.append(piece); piece = "" }
                    words.append(character == "." ? dot : character == "_" ? underscore : dash)
                default:
                    piece.append(character)
                }
            }
            if !piece.isEmpty { words.append(piece) }
            return words + [at] + host(labels)
        }
        let lowered = core.lowercased()
        var rest = Substring(core)
        var hasScheme = false
        for scheme in ["https://", "http://"] where lowered.hasPrefix(scheme) {
            rest = rest.dropFirst(scheme.count)
            hasScheme = true
        }
        let hostEnd = rest.firstIndex { "/?#:".contains($0) } ?? rest.endIndex
        // A bare domain ends there or continues with a path (`example.com/news`).
        guard hasScheme || hostEnd == rest.endIndex || rest[hostEnd] == "/" else { return nil }
        var hostText = rest[..<hostEnd]
        let hasWWW = hostText.lowercased().hasPrefix("www.")
        if hasWWW { hostText = hostText.dropFirst(4) }
        guard let labels = Self.hostLabels(hostText, requireKnownDomain: !hasScheme && !hasWWW) else { return nil }
        return host(labels)
    }

    private func host(_ labels: [String]) -> [String] {
        labels.enumerated().flatMap { index, name in (index > 0 ? [dot] : []) + label(name) }
    }

    /// Lower-case labels of a host name (`vnexpress.net` → ["vnexpress", "net"]), at least two, letters, digits and
    /// inner hyphens only; the last must be a known top-level domain when `requireKnownDomain`.
    private static func hostLabels(_ host: Substring, requireKnownDomain: Bool) -> [String]? {
        let labels = host.lowercased().split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard labels.count >= 2, labels.count <= 10,
              labels.allSatisfy({ !$0.isEmpty && $0.first != "-" && $0.last != "-"
                  && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") } }),
              labels.last!.allSatisfy(\.isLetter) else { return nil }
        if requireKnownDomain && !topLevelDomains.contains(labels.last!) { return nil }
        return labels
    }
}
