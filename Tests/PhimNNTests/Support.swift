import Foundation

/// A fresh path in a folder unique to this test process.
func temporaryPath(_ name: String) -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("phim-nn-tests-\(getpid())")
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder.appendingPathComponent(UUID().uuidString + "-" + name).path
}

/// The folder holding the built products (`phim`, `PhimTensorWorker`): the test bundle's own folder.
let productsFolder: URL = {
    var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    // `swift test` runs `.build/debug/PhimPackageTests.xctest` (a file on Linux).
    while !FileManager.default.fileExists(atPath: url.appendingPathComponent("PhimTensorWorker").path), url.path != "/" {
        url.deleteLastPathComponent()
    }
    return url
}()

/// The result of running a program.
struct ProcessResult {
    var status: Int32
    var output: String
    var error: String
}

/// Runs `executable` with `arguments` and waits for it.
func run(_ executable: String, _ arguments: [String]) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ProcessResult(status: process.terminationStatus, output: String(decoding: outData, as: UTF8.self),
                         error: String(decoding: errData, as: UTF8.self))
}

/// Starts `executable` without waiting.
func start(_ executable: String, _ arguments: [String]) throws -> (Process, Pipe, Pipe) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    return (process, out, err)
}

/// Python with `safetensors` and `numpy`, installed from PyPI on first use when missing.
enum PythonSafetensors {
    static let python: String? = {
        for candidate in ["/usr/bin/env"] where FileManager.default.isExecutableFile(atPath: candidate) {
            if (try? run(candidate, ["python3", "-c", "import safetensors, numpy"]))?.status == 0 { return candidate }
            _ = try? run(candidate, ["python3", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "safetensors", "numpy"])
            if (try? run(candidate, ["python3", "-c", "import safetensors, numpy"]))?.status == 0 { return candidate }
        }
        return nil
    }()

    static var isAvailable: Bool { python != nil }

    /// Runs a Python script; returns its output.
    static func execute(_ script: String) throws -> ProcessResult {
        try run(python!, ["python3", "-c", script])
    }
}
