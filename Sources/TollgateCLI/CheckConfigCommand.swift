import Server

/// `tollgate check-config`: validates the config and every file it names, offline. Prints each problem with its
/// file and JSON path; exit status 1 if there is any.
enum CheckConfigCommand {
    static func run(configPath: String) -> Int32 {
        let problems = ConfigValidation.validateAll(configPath: configPath)
        if problems.isEmpty {
            print("\(configPath): OK")
            return 0
        }
        for problem in problems { printError(problem.description) }
        printError("\(problems.count) problem\(problems.count == 1 ? "" : "s") found")
        return 1
    }
}
