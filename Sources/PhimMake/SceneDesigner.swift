import Foundation
import PhimCompose
import PhimCore
import PhimScript

/// Turns a timed narration into the storyboard's clips: one per scene, with backdrops, the presenter, titles,
/// keyword cards, bullets, charts or the user's pictures, laid out per aspect. It builds typed layers; the
/// ``ProjectWriter`` spells them as a project file.
struct SceneDesigner {
    var aspect: Aspect
    var style: ScriptStyle
    var seed: Int
    var language: ScriptLanguage = .english
    var font = "Noto Sans"

    /// The colour schemes per style: gradient colours, accent, motif.
    struct Palette {
        var colors: [Color]
        var accent: Color
        var motif: BackdropMotif

        init(_ colors: [String], accent: String, _ motif: BackdropMotif) {
            self.colors = colors.map(Self.color)
            self.accent = Self.color(accent)
            self.motif = motif
        }

        /// A colour written in this file.
        private static func color(_ hex: String) -> Color {
            guard let color = Color(parsing: hex) else { preconditionFailure("\(hex) is not a colour") }
            return color
        }
    }

    var palettes: [Palette] {
        switch style {
        case .explainer: [Palette(["#1d2b64", "#4b3b8f"], accent: "#ffd166", .bubbles),
                          Palette(["#0f2f4f", "#1c6e8c"], accent: "#ffd166", .dots),
                          Palette(["#2a1b4a", "#6a3093"], accent: "#7ee8fa", .bubbles)]
        case .ad: [Palette(["#ff512f", "#dd2476"], accent: "#fff275", .blocks),
                   Palette(["#f7971e", "#e94057"], accent: "#ffffff", .blocks),
                   Palette(["#8e2de2", "#ff0080"], accent: "#fff275", .bubbles)]
        case .tutorial: [Palette(["#0f2027", "#2c5364"], accent: "#6ee7b7", .dots),
                         Palette(["#134e5e", "#2f6f62"], accent: "#fde68a", .dots),
                         Palette(["#1e3c52", "#3a6073"], accent: "#6ee7b7", .waves)]
        case .story: [Palette(["#2b1a3d", "#c0504d"], accent: "#ffe0a3", .waves),
                      Palette(["#3a1c32", "#d17a47"], accent: "#ffe0a3", .waves),
                      Palette(["#1f1c2c", "#928dab"], accent: "#ffd6e0", .bubbles)]
        }
    }

    /// Where things go, as fractions of the frame.
    struct Layout {
        var title: Point
        var titleSize: Double
        var content: Rect
        var presenter: Rect
        var presenterLarge: Rect
        var subtitleY: Double
        var subtitleSize: Double
        var cueLayout: (characters: Int, lines: Int)
    }

    var layout: Layout {
        switch aspect {
        case .portrait:
            Layout(title: Point(x: 0.5, y: 0.09), titleSize: 0.038,
                   content: Rect(x: 0.06, y: 0.17, width: 0.88, height: 0.34),
                   presenter: Rect(x: 0.22, y: 0.5, width: 0.56, height: 0.28),
                   presenterLarge: Rect(x: 0.1, y: 0.38, width: 0.8, height: 0.42),
                   subtitleY: 0.87, subtitleSize: 0.03, cueLayout: (24, 2))
        case .landscape:
            Layout(title: Point(x: 0.5, y: 0.1), titleSize: 0.065,
                   content: Rect(x: 0.05, y: 0.2, width: 0.58, height: 0.56),
                   presenter: Rect(x: 0.64, y: 0.24, width: 0.34, height: 0.58),
                   presenterLarge: Rect(x: 0.3, y: 0.25, width: 0.4, height: 0.58),
                   subtitleY: 0.9, subtitleSize: 0.048, cueLayout: (42, 2))
        case .square:
            Layout(title: Point(x: 0.5, y: 0.08), titleSize: 0.052,
                   content: Rect(x: 0.06, y: 0.15, width: 0.88, height: 0.36),
                   presenter: Rect(x: 0.25, y: 0.5, width: 0.5, height: 0.3),
                   presenterLarge: Rect(x: 0.2, y: 0.3, width: 0.6, height: 0.5),
                   subtitleY: 0.88, subtitleSize: 0.042, cueLayout: (32, 2))
        }
    }

    /// Translucent black: the veil over pictures and the outline of titles.
    static func shade(_ alpha: Double) -> Color { Color(red: 0, green: 0, blue: 0, alpha: alpha) }

    /// One clip's layers for a scene that lasts `duration` seconds.
    func layers(for scene: ScriptScene, index: Int, duration: Double, image: ImageLibrary.Item?, title documentTitle: String)
        -> [Layer]
    {
        let palette = palettes[index % palettes.count]
        let layout = self.layout
        let height = Double(aspect.size.height)
        var contents: [(LayerContent, start: Double)] = []
        func add(_ content: LayerContent, start: Double = 0) { contents.append((content, start)) }
        if let image {
            if image.isVideo {
                add(.video(VideoLayer(path: image.url, fit: .cover, mute: true)))
            } else {
                let zoomIn = index % 2 == 0
                add(.image(ImageLayer(path: image.url, fit: .cover, zoom: ZoomSpec(from: zoomIn ? 1 : 1.12, to: zoomIn ? 1.12 : 1))))
            }
            // A dark veil so that titles and subtitles stay readable over any picture.
            add(.gradient(GradientLayer(colors: [Self.shade(0.55), Self.shade(0.15), Self.shade(0.6)])))
        } else {
            add(.backdrop(BackdropLayer(colors: palette.colors, motif: palette.motif, seed: seed &+ index, motion: 1)))
        }
        let titleText = (scene.role == .hook ? documentTitle : scene.title).nfc
        switch scene.role {
        case .hook, .closing:
            if !titleText.isEmpty {
                add(.title(TextLayer(
                    text: titleText, position: .point(Point(x: 0.5, y: aspect == .portrait ? 0.2 : 0.16)),
                    style: TextLayerStyle(font: font, fontSize: (height * layout.titleSize * 1.35).rounded(), color: .white,
                                          outline: TextOutline(color: Self.shade(0.35), width: 3), maxWidth: 0.86))))
            }
            if !scene.keywords.isEmpty, scene.role == .hook, aspect != .landscape {
                add(keywords(Array(scene.keywords.prefix(3)), area: Rect(x: 0.06, y: 0.28, width: 0.88, height: 0.12)), start: 0.6)
            }
            add(.presenter(PresenterLayer(seed: seed, area: layout.presenterLarge)))
        case .body:
            if !titleText.isEmpty {
                add(.title(TextLayer(
                    text: titleText, position: .point(layout.title),
                    style: TextLayerStyle(font: font, fontSize: (height * layout.titleSize).rounded(), color: palette.accent,
                                          outline: TextOutline(color: Self.shade(0.35), width: 2), maxWidth: 0.9))))
            }
            let chartable = Array(scene.figures.filter { $0.value > 0 && $0.value.isFinite }.prefix(6))
            let units = Set(chartable.map { $0.unit ?? "" })
            if image == nil, chartable.count >= 2, units.count == 1 {
                let (values, unit) = Self.scaled(chartable.map(\.value), unit: units.first ?? "", language: language)
                add(.chart(ChartLayer(values: values, labels: chartable.map { Self.shortLabel($0.label).nfc }, unit: unit.nfc,
                                      area: layout.content,
                                      style: SceneTextStyle(font: font, fontSize: (height * layout.subtitleSize * 0.9).rounded()))))
            } else if image == nil, !scene.bullets.isEmpty {
                add(.bullets(BulletsLayer(items: scene.bullets.prefix(5).map(\.nfc), area: layout.content,
                                          style: SceneTextStyle(font: font, fontSize: (height * layout.subtitleSize * 1.05).rounded()),
                                          bulletColor: palette.accent, stagger: 0.7)))
            } else if !scene.keywords.isEmpty {
                add(keywords(Array(scene.keywords.prefix(4)), area: layout.content), start: 0.3)
            }
            add(.presenter(PresenterLayer(seed: seed, area: layout.presenter)))
        }
        return contents.map { Layer($0.0, start: $0.start, stop: duration) }
    }

    private func keywords(_ words: [String], area: Rect) -> LayerContent {
        .keywords(KeywordsLayer(words: words.map(\.nfc), area: area,
                                style: SceneTextStyle(font: font, fontSize: (Double(aspect.size.height) * layout.subtitleSize * 1.1).rounded()),
                                cardColor: Color(red: 1, green: 1, blue: 1, alpha: 0.18), stagger: 0.45))
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
