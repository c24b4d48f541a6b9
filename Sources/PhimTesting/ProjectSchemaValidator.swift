import Foundation

/// Validates project files against the repository's JSON Schema with Python's `jsonschema` package, the reference
/// implementation of JSON Schema 2020-12, so that the schema is checked by something other than Phim's own reader.
public enum ProjectSchemaValidator {
    /// The repository's `Schemas/project.schema.json`.
    public static let schemaURL = SampleMedia.packageRoot.appendingPathComponent("Schemas/project.schema.json")

    /// Whether Python and its `jsonschema` package are installed.
    public static let isAvailable = runPython("import jsonschema") != nil
    /// Whether PyYAML is installed as well, to validate YAML projects.
    public static let isAvailableWithYAML = runPython("import jsonschema, yaml") != nil

    /// One verdict per file, in order: `valid`, or `invalid: ` and the first error; `nil` if the validator failed.
    public static func verdicts(for files: [URL]) -> [String]? {
        guard let output = runPython(script, [schemaURL.path] + files.map(\.path)) else { return nil }
        let verdicts = output.split(separator: "\n").map(String.init)
        return verdicts.count == files.count ? verdicts : nil
    }

    /// Prints `valid` or `invalid: reason` for each file argument after the schema.
    static let script = """
    import json, sys, jsonschema
    schema = json.load(open(sys.argv[1]))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in sys.argv[2:]:
        if path.endswith(('.yaml', '.yml')):
            import yaml
            document = yaml.safe_load(open(path, encoding='utf-8'))
        else:
            document = json.load(open(path, encoding='utf-8'))
        errors = list(validator.iter_errors(document))
        print('valid' if not errors else 'invalid: ' + errors[0].message.replace('\\n', ' ')[:200])
    """

    /// Runs Python with `script` and `arguments`; returns its standard output, or `nil` if it failed.
    static func runPython(_ script: String, _ arguments: [String] = []) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }
}
