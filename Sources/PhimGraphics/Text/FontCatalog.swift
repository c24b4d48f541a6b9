internal import CCairo
import Foundation
import PhimCore

/// The font families installed on the machine, as fontconfig and Pango see them.
public enum FontCatalog {
    /// Every family name, sorted.
    public static var families: [String] { cache.families }

    /// Whether a family is installed (case-insensitive; generic names `sans`, `serif`, `monospace` always are).
    public static func contains(_ family: String) -> Bool {
        let key = family.trimmingWhitespace().lowercased()
        return genericFamilies.contains(key) || cache.lowercased.contains(key)
    }

    /// Checks that a family is installed.
    /// - Throws: `PhimError` `.invalidInput` naming `subject`, with close matches as suggestions.
    public static func require(_ family: String, subject: PhimError.Subject) throws(PhimError) {
        guard !contains(family) else { return }
        let key = family.lowercased()
        let suggestions = families.filter { name in
            let lower = name.lowercased()
            return lower.hasPrefix(String(key.prefix(4))) || lower.contains(key) || key.contains(lower)
        }.prefix(3)
        let hint = suggestions.isEmpty ? "" : "; installed families include " + suggestions.map { "'\($0)'" }.joined(separator: ", ")
        throw PhimError(.invalidInput, "font '\(family)' is not installed\(hint)", subject: subject)
    }

    private static let genericFamilies: Set<String> = ["sans", "sans-serif", "serif", "monospace", "mono"]

    private struct Cache: Sendable {
        let families: [String]
        let lowercased: Set<String>
    }

    private static let cache: Cache = {
        let fontMap = pango_cairo_font_map_get_default()
        var list: UnsafeMutablePointer<UnsafeMutablePointer<PangoFontFamily>?>? = nil
        var count: Int32 = 0
        pango_font_map_list_families(fontMap, &list, &count)
        var names: [String] = []
        if let list {
            for index in 0..<Int(count) {
                if let family = list[index], let name = pango_font_family_get_name(family) {
                    names.append(String(cString: name))
                }
            }
            g_free(list)
        }
        names.sort()
        return Cache(families: names, lowercased: Set(names.map { $0.lowercased() }))
    }()
}
