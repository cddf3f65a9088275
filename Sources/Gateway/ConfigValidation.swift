import Foundation
import Support

/// Offline validation of a whole configuration set: `tollgate.json` and every file it names.
public enum ConfigValidation {
    /// Every problem found, each with its file and JSON path; empty when all is well.
    public static func validateAll(configPath: String) -> [ConfigProblem] {
        let configuration: GatewayConfiguration
        do {
            configuration = try GatewayConfiguration.load(path: configPath)
        } catch {
            return error.problems
        }
        var problems: [ConfigProblem] = []
        problems += fileProblems(configuration.cataloguePath, what: "catalogue")
        if let keys = configuration.keysPath { problems += fileProblems(keys, what: "keys file") }
        return problems
    }

    /// Checks that a named file exists and holds JSON; the catalogue and keys validators add their own checks.
    static func fileProblems(_ path: String, what: String) -> [ConfigProblem] {
        do {
            _ = try JSONValue.parse(try AtomicFile.read(path))
            return []
        } catch let error as AtomicFileError {
            return [ConfigProblem(file: path, path: "", message: "cannot read \(what): \(error)")]
        } catch {
            return [ConfigProblem(file: path, path: "", message: "invalid JSON: \(error)")]
        }
    }
}
