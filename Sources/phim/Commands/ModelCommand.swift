import ArgumentParser
import Foundation
import PhimCore
import PhimSafetensors

/// `phim model …`: inspect model checkpoints.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Inspect model checkpoints (safetensors files).",
        subcommands: [ModelInfoCommand.self]
    )
}

/// `phim model info FILE [--json]`: every tensor's name, dtype, shape and sum.
///
/// It reads the file with `PhimSafetensors` alone, so the command does not load libtorch.
struct ModelInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "List the tensors of a safetensors file: name, dtype, shape and sum (float64)."
    )

    @Argument(help: "The safetensors file.") var file: String
    @Flag(help: "Print one JSON document: {\"tensors\": [{\"name\", \"dtype\", \"shape\", \"sum\"}], \"parameters\": N}.")
    var json = false

    struct Row {
        var name: String
        var dtype: String
        var shape: [Int]
        var sum: Double
    }

    func run() throws {
        let safetensors = try SafetensorsFile(path: file)
        var rows: [Row] = []
        var parameters = 0
        for entry in safetensors.header.entries.sorted(by: { $0.name < $1.name }) {
            let sum = try safetensors.sum(of: entry)
            rows.append(Row(name: entry.name, dtype: entry.dtype.rawValue, shape: entry.shape, sum: sum))
            parameters += entry.elementCount
        }
        if json {
            print(jsonDocument(rows, parameters: parameters))
        } else {
            let nameWidth = max(4, rows.map(\.name.count).max() ?? 0)
            let shapeWidth = max(5, rows.map { shapeText($0.shape).count }.max() ?? 0)
            print(pad("name", nameWidth) + "  " + pad("dtype", 5) + "  " + pad("shape", shapeWidth) + "  sum")
            for row in rows {
                print(pad(row.name, nameWidth) + "  " + pad(row.dtype, 5) + "  " + pad(shapeText(row.shape), shapeWidth) + "  \(row.sum)")
            }
            print("\(rows.count) tensors, \(parameters) parameters")
        }
    }

    private func shapeText(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }
    private func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }

    private func jsonDocument(_ rows: [Row], parameters: Int) -> String {
        let entries = rows.map { row in
            let sum = row.sum.isFinite ? "\(row.sum)" : "null"
            return "{\"name\": \(jsonString(row.name)), \"dtype\": \"\(row.dtype)\", \"shape\": [\(row.shape.map(String.init).joined(separator: ", "))], \"sum\": \(sum)}"
        }
        return "{\"tensors\": [" + entries.joined(separator: ", ") + "], \"parameters\": \(parameters)}"
    }

    private func jsonString(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
        let array = String(decoding: data, as: UTF8.self)
        return String(array.dropFirst().dropLast())
    }
}
