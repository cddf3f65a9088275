import Fleet
import Server
import Support

/// `tollgate store import|export [--config PATH]`: moves the catalogue and keys files named by the config into the
/// fleet's store (`store.redis`), or back out of it (``FleetTransfer``). `import --if-empty` leaves a store that
/// already holds a catalogue alone (for a deployment's one-off import job).
enum StoreCommand {
    static func run(_ direction: String, configPath: String, onlyIfEmpty: Bool = false) -> Int32 {
        let configuration: GatewayConfiguration
        do { configuration = try GatewayConfiguration.load(path: configPath) } catch {
            for problem in error.problems { printError(problem.description) }
            return 1
        }
        guard let redis = configuration.store else {
            printError("tollgate: \(configPath) has no store.redis section: there is no fleet store to \(direction)")
            return 1
        }
        let logger = Logger(level: .warning, fileDescriptor: 2)
        do throws(FleetTransfer.Failure) {
            if direction == "import" {
                let done = try FleetTransfer.importFiles(cataloguePath: configuration.cataloguePath, keysPath: configuration.keysPath,
                                                         endpoints: configuration.allowedEndpoints, redis: redis, logger: logger,
                                                         onlyIfEmpty: onlyIfEmpty)
                if done.revision < 0 {
                    print("the store already holds a catalogue (revision \(-done.revision)): nothing imported")
                } else {
                    print("imported \(done.models) models\(configuration.keysPath == nil ? "" : " and the keys") at revision \(done.revision)")
                }
            } else {
                let done = try FleetTransfer.exportFiles(cataloguePath: configuration.cataloguePath, keysPath: configuration.keysPath,
                                                         redis: redis, logger: logger)
                print("exported \(done.models) models at revision \(done.revision) to \(configuration.cataloguePath)")
            }
            return 0
        } catch {
            printError("tollgate: store \(direction): \(error.description)")
            return 1
        }
    }
}
