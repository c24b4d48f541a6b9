import Foundation
import PhimCore
import PhimScript

/// Turns a timed narration into the storyboard: a project file for `phim render`, one clip per scene, with
/// backdrops, the presenter, titles, keyword cards, bullets, charts or the user's pictures, laid out per aspect.
struct SceneDesigner {
    var aspect: Aspect
    var style: ScriptStyle
    var seed: Int
    var language: ScriptLanguage = .english
    var font = "Noto Sans"

    /// The colour schemes per style: gradient colours, accent, motif.
    struct Palette {
        var colors: [String]
        var accent: String
        var motif: String
    }

    var palettes: [Palette] {
        switch style {
        case .explainer: [Palette(colors: ["#1d2b64", "#4b3b8f"], accent: "#ffd166", motif: "bubbles"),
                          Palette(colors: ["#0f2f4f", "#1c6e8c"], accent: "#ffd166", motif: "dots"),
                          Palette(colors: ["#2a1b4a", "#6a3093"], accent: "#7ee8fa", motif: "bubbles")]
        case .ad: [Palette(colors: ["#ff512f", "#dd2476"], accent: "#fff275", motif: "blocks"),
                   Palette(colors: ["#f7971e", "#e94057"], accent: "#ffffff", motif: "blocks"),
                   Palette(colors: ["#8e2de2", "#ff0080"], accent: "#fff275", motif: "bubbles")]
        case .tutorial: [Palette(colors: ["#0f2027", "#2c5364"], accent: "#6ee7b7", motif: "dots"),
                         Palette(colors: ["#134e5e", "#2f6f62"], accent: "#fde68a", motif: "dots"),
                         Palette(colors: ["#1e3c52", "#3a6073"], accent: "#6ee7b7", motif: "waves")]
        case .story: [Palette(colors: ["#2b1a3d", "#c0504d"], accent: "#ffe0a3", motif: "waves"),
                      Palette(colors: ["#3a1c32", "#d17a47"], accent: "#ffe0a3", motif: "waves"),
                      Palette(colors: ["#1f1c2c", "#928dab"], accent: "#ffd6e0", motif: "bubbles")]
        }
    }

    /// Where things go, as fractions of the frame.
    struct Layout {
        var title: (x: Double, y: Double)
        var titleSize: Double
        var content: [String: Double]
        var presenter: [String: Double]
        var presenterLarge: [String: Double]
        var subtitleY: Double
        var subtitleSize: Double
        var cueLayout: (characters: Int, lines: Int)
    }

    var layout: Layout {
        switch aspect {
        case .portrait:
            Layout(title: (0.5, 0.09), titleSize: 0.038,
                   content: ["x": 0.06, "y": 0.17, "width": 0.88, "height": 0.34],
                   presenter: ["x": 0.22, "y": 0.5, "width": 0.56, "height": 0.28],
                   presenterLarge: ["x": 0.1, "y": 0.38, "width": 0.8, "height": 0.42],
                   subtitleY: 0.87, subtitleSize: 0.03, cueLayout: (24, 2))
        case .landscape:
            Layout(title: (0.5, 0.1), titleSize: 0.065,
                   content: ["x": 0.05, "y": 0.2, "width": 0.58, "height": 0.56],
                   presenter: ["x": 0.64, "y": 0.24, "width": 0.34, "height": 0.58],
                   presenterLarge: ["x": 0.3, "y": 0.25, "width": 0.4, "height": 0.58],
                   subtitleY: 0.9, subtitleSize: 0.048, cueLayout: (42, 2))
        case .square:
            Layout(title: (0.5, 0.08), titleSize: 0.052,
                   content: ["x": 0.06, "y": 0.15, "width": 0.88, "height": 0.36],
                   presenter: ["x": 0.25, "y": 0.5, "width": 0.5, "height": 0.3],
                   presenterLarge: ["x": 0.2, "y": 0.3, "width": 0.6, "height": 0.5],
                   subtitleY: 0.88, subtitleSize: 0.042, cueLayout: (32, 2))
        }
    }

    /// One clip's layers for a scene.
    func layers(for scene: ScriptScene, index: Int, image: ImageLibrary.Item?, title documentTitle: String) -> [[String: Any]] {
        let palette = palettes[index % palettes.count]
        let layout = self.layout
        let height = Double(aspect.size.height)
        var layers: [[String: Any]] = []
        if let image {
            if image.isVideo {
                layers.append(["type": "video", "path": image.url.path, "fit": "cover", "mute": true])
            } else {
                let zoomIn = index % 2 == 0
                layers.append(["type": "image", "path": image.url.path, "fit": "cover",
                               "zoom": ["from": zoomIn ? 1.0 : 1.12, "to": zoomIn ? 1.12 : 1.0]])
            }
            // A dark veil so that titles and subtitles stay readable over any picture.
            layers.append(["type": "gradient", "colors": ["rgba(0, 0, 0, 0.55)", "rgba(0, 0, 0, 0.15)", "rgba(0, 0, 0, 0.6)"]])
        } else {
            layers.append(["type": "backdrop", "colors": palette.colors, "motif": palette.motif, "seed": seed &+ index, "motion": 1])
        }
        let titleText = scene.role == .hook ? documentTitle : scene.title
        switch scene.role {
        case .hook, .closing:
            if !titleText.isEmpty {
                layers.append(["type": "title", "text": titleText, "font": font, "fontSize": (height * layout.titleSize * 1.35).rounded(),
                               "position": ["x": 0.5, "y": aspect == .portrait ? 0.2 : 0.16], "maxWidth": 0.86,
                               "color": "#ffffff", "outlineColor": "rgba(0, 0, 0, 0.35)", "outlineWidth": 3])
            }
            if !scene.keywords.isEmpty, scene.role == .hook, aspect != .landscape {
                layers.append(keywordsLayer(Array(scene.keywords.prefix(3)), area: ["x": 0.06, "y": 0.28, "width": 0.88, "height": 0.12],
                                            palette: palette, start: 0.6))
            }
            layers.append(["type": "presenter", "seed": seed, "area": layout.presenterLarge])
        case .body:
            if !titleText.isEmpty {
                layers.append(["type": "title", "text": titleText, "font": font, "fontSize": (height * layout.titleSize).rounded(),
                               "position": ["x": layout.title.x, "y": layout.title.y], "maxWidth": 0.9, "color": palette.accent,
                               "outlineColor": "rgba(0, 0, 0, 0.35)", "outlineWidth": 2])
            }
            let chartable = Array(scene.figures.filter { $0.value > 0 && $0.value.isFinite }.prefix(6))
            let units = Set(chartable.map { $0.unit ?? "" })
            if image == nil, chartable.count >= 2, units.count == 1 {
                let (values, unit) = Self.scaled(chartable.map(\.value), unit: units.first ?? "", language: language)
                layers.append(["type": "chart", "values": values, "labels": chartable.map { Self.shortLabel($0.label) },
                               "unit": unit, "font": font, "area": layout.content,
                               "fontSize": (height * layout.subtitleSize * 0.9).rounded()])
            } else if image == nil, !scene.bullets.isEmpty {
                layers.append(["type": "bullets", "items": Array(scene.bullets.prefix(5)), "font": font, "area": layout.content,
                               "bulletColor": palette.accent, "fontSize": (height * layout.subtitleSize * 1.05).rounded(),
                               "stagger": 0.7])
            } else if !scene.keywords.isEmpty {
                layers.append(keywordsLayer(Array(scene.keywords.prefix(4)), area: layout.content, palette: palette, start: 0.3))
            }
            layers.append(["type": "presenter", "seed": seed, "area": layout.presenter])
        }
        return layers
    }

    private func keywordsLayer(_ words: [String], area: [String: Double], palette: Palette, start: Double) -> [String: Any] {
        ["type": "keywords", "words": words, "font": font, "area": area, "start": start,
         "fontSize": (Double(aspect.size.height) * layout.subtitleSize * 1.1).rounded(), "color": "#ffffff",
         "cardColor": "rgba(255, 255, 255, 0.18)", "stagger": 0.45]
    }

    /// Large amounts in millions, billions or trillions (`9.51 nghìn tỷ đồng`, not sixteen digits).
    static func scaled(_ values: [Double], unit: String, language: ScriptLanguage) -> ([Double], String) {
        let largest = values.max() ?? 0
        let magnitudes: [(Double, String, String)] = [(1e12, "trillion", "nghìn tỷ"), (1e9, "billion", "tỷ"), (1e6, "million", "triệu")]
        guard let (divisor, english, vietnamese) = magnitudes.first(where: { largest >= $0.0 }) else {
            return (values, chartUnit(unit))
        }
        let word = language == .vietnamese ? vietnamese : english
        let scaled = values.map { ($0 / divisor * 100).rounded() / 100 }
        return (scaled, " " + word + (unit.isEmpty || unit == "%" ? "" : " " + unit))
    }

    static func shortLabel(_ label: String) -> String {
        let words = label.split(separator: " ")
        return words.count <= 3 ? label : words.prefix(3).joined(separator: " ") + "…"
    }

    /// Units as printed after each bar's value.
    static func chartUnit(_ unit: String) -> String {
        switch unit {
        case "", "%": unit
        default: " " + unit
        }
    }
}
