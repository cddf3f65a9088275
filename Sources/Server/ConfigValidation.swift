import Identity
import Core
import FoundationEssentials
import AWS
import Catalogue
import Support
import TLS

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
        problems += catalogueProblems(configuration.cataloguePath)
        if let bytes = try? AtomicFile.read(configuration.cataloguePath), let snapshot = try? CatalogueSnapshot.load(fileBytes: bytes, version: 1) {
            for model in snapshot.models {
                if let endpoint = model.providerConfig?.endpoint, !configuration.allowedEndpoints.allows(endpoint) {
                    problems.append(ConfigProblem(file: configuration.cataloguePath, path: "models[id=\(model.id)].provider_config.endpoint",
                                                  message: "endpoint \"\(endpoint)\" is not in upstream.allowed_endpoints of \(configPath)"))
                }
                if let set = model.providerConfig?.credentials, configuration.credentials[set] == nil {
                    problems.append(ConfigProblem(file: configuration.cataloguePath, path: "models[id=\(model.id)].provider_config.credentials",
                                                  message: "credential set '\(set)' is not defined in upstream.credentials of \(configPath)"))
                }
            }
        }
        if let keys = configuration.keysPath { problems += KeyStore.problems(inFile: keys) }
        for entry in configuration.tlsListen {
            do throws(TLSError) {
                _ = try TLSContext(certificatePath: entry.certificatePath, privateKeyPath: entry.privateKeyPath)
            } catch {
                problems.append(ConfigProblem(file: configPath, path: entry.path(of: error), message: error.message))
            }
        }
        // Credential files can be checked offline (environment variables belong to the serving process).
        for (name, set) in configuration.credentials.sorted(by: { $0.key < $1.key }) {
            if case .file(let path) = set.source {
                do {
                    _ = try AWSCredentialsProvider.load(.file(path: path))
                } catch {
                    problems.append(ConfigProblem(file: configPath, path: "upstream.credentials.\(name).path", message: "\(error)"))
                }
            }
        }
        return problems
    }

    /// Every problem of the catalogue file, each with its field path.
    static func catalogueProblems(_ path: String) -> [ConfigProblem] {
        do {
            return CatalogueSnapshot.problems(inFile: try AtomicFile.read(path)).map {
                ConfigProblem(file: path, path: $0.field?.description ?? "", message: $0.message)
            }
        } catch {
            return [ConfigProblem(file: path, path: "", message: "cannot read catalogue: \(error)")]
        }
    }
}
