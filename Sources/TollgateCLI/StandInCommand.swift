#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import IO
import StandIn

/// `tollgate stand-in`: runs the Bedrock Runtime stand-in until SIGTERM/SIGINT.
enum StandInCommand {
    static let defaultAccessKeyID = "AKIDSTANDINDEMO"
    static let defaultSecret = "stand-in-demo-secret"

    static func run(_ arguments: CommandLineArguments) throws(CommandLineArguments.UsageError) -> Int32 {
        let port = try arguments.port("--port", default: 9911)
        let host = arguments.options["--host"] ?? "127.0.0.1"
        guard let address = SocketAddress(host: host, port: port) else {
            throw .init(message: "option --host must be a numeric IPv4 or IPv6 address, got '\(host)'")
        }
        let keyID = arguments.options["--access-key-id"] ?? defaultAccessKeyID
        let secret = arguments.options["--secret-access-key"] ?? defaultSecret
        let standIn: StandInServer
        do {
            standIn = try StandInServer(configuration: .init(credentials: [keyID: secret], address: address, workers: 1))
        } catch {
            printError("tollgate: cannot start the stand-in: \(error)")
            return 1
        }
        print("{\"event\":\"stand_in_listening\",\"endpoint\":\"\(standIn.endpoint)\",\"access_key_id\":\"\(keyID)\"}")
        fflush(nil)
        SignalHandling.install(onTerminate: { _ in exit(0) }, onReload: {})
        dispatchMain()
    }
}
