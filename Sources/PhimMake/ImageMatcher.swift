import Foundation
import PhimCore
import PhimMedia
import PhimScript

/// The user's pictures and clips (`--images DIR`), matched to scenes by the words in their file names.
struct ImageLibrary: Sendable {
    struct Item: Sendable {
        var url: URL
        var isVideo: Bool
        /// Folded words of the file name (lowercase, no diacritics).
        var words: Set<String>
    }

    var items: [Item]

    static let imageExtensions: Set<String> = ["jpg", "jpeg", "png", "webp", "bmp", "tif", "tiff", "gif"]
    static let videoExtensions: Set<String> = ["mp4", "mov", "mkv", "webm", "avi", "m4v"]

    /// Lists and checks the folder: pictures that do not decode and clips without a video stream are left out, each
    /// with one warning naming it.
    /// - Parameter warn: receives one line per file left out.
    /// - Throws: `PhimError` naming the folder when it is missing, not a folder or cannot be listed.
    static func load(_ folder: URL, warn: (String) -> Void = { _ in }) throws(PhimError) -> ImageLibrary {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) else {
            throw PhimError(.fileNotFound, "no such folder \(folder.displayPath.quoted())", subject: .option("images"))
        }
        guard isDirectory.boolValue else { throw PhimError(.invalidInput, "\(folder.displayPath.quoted()) is not a folder", subject: .option("images")) }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() } catch {
            throw PhimError(.unreadableFile, "cannot list \(folder.displayPath.quoted())", subject: .option("images"))
        }
        var items: [Item] = []
        for name in names where !name.hasPrefix(".") {
            let url = folder.appendingPathComponent(name)
            let ext = url.pathExtension.lowercased()
            let isVideo = videoExtensions.contains(ext)
            guard isVideo || imageExtensions.contains(ext) else { continue }
            do throws(PhimError) {
                try InputFile.check(url, subject: .file(url.displayPath))
                if isVideo {
                    let info = try MediaProbe.probe(url)
                    guard let stream = info.primaryVideo, stream.width > 0 else {
                        throw PhimError(.corruptMedia, "has no readable video stream", subject: .file(url.displayPath))
                    }
                } else {
                    _ = try ImageLoader.load(url)
                }
            } catch {
                warn("warning: --images: left out \(PhimError(error.code, error.message, subject: .file(url.displayPath)))")
                continue
            }
            items.append(Item(url: url, isVideo: isVideo, words: Set(Self.words(inFileName: url.deletingPathExtension().lastPathComponent))))
        }
        return ImageLibrary(items: items)
    }

    /// `solar-panel_Roof2`, `tấmPin` → ["solar", "panel", "roof", "tam", "pin"].
    static func words(inFileName name: String) -> [String] {
        var spaced = ""
        var previous: Character?
        for character in name.nfc {
            if let previous, previous.isLowercase, character.isUppercase { spaced.append(" ") }
            spaced.append(character.isLetter ? character : " ")
            previous = character
        }
        return spaced.split(separator: " ").map { fold(String($0)) }.filter { $0.count > 1 }
    }

    /// Lowercase without diacritics (and đ → d), so that `Mat-troi.jpg` matches "mặt trời".
    static func fold(_ word: String) -> String {
        word.lowercased().folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil)
            .replacingOccurrences(of: "đ", with: "d")
    }

    /// For each scene (by its words), the best unused picture sharing at least one word, best matches first.
    func assign(to scenes: [[String]]) -> [Int: Item] {
        var candidates: [(score: Int, scene: Int, item: Int)] = []
        for (sceneIndex, words) in scenes.enumerated() {
            let folded = Set(words.flatMap { $0.split(whereSeparator: { !$0.isLetter }).map { Self.fold(String($0)) } })
            for (itemIndex, item) in items.enumerated() {
                let score = item.words.intersection(folded).count
                if score > 0 { candidates.append((score, sceneIndex, itemIndex)) }
            }
        }
        candidates.sort { ($0.score, -$0.scene, -$0.item) > ($1.score, -$1.scene, -$1.item) }
        var usedScenes = Set<Int>(), usedItems = Set<Int>()
        var result: [Int: Item] = [:]
        for candidate in candidates where !usedScenes.contains(candidate.scene) && !usedItems.contains(candidate.item) {
            usedScenes.insert(candidate.scene)
            usedItems.insert(candidate.item)
            result[candidate.scene] = items[candidate.item]
        }
        return result
    }
}
