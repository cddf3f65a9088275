#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Server
import IO
import Support

/// `tollgate serve`: runs the gateway until SIGTERM/SIGINT (graceful drain, exit 0). SIGHUP reloads the files the
/// configuration names.
enum ServeCommand {
    static func run(configPath: String) -> Never {
        let configuration: GatewayConfiguration
        do {
            configuration = try GatewayConfiguration.load(path: configPath)
        } catch {
            for problem in error.problems { printError(problem.description) }
            exit(1)
        }
        // Signals are handled before the listener opens: a SIGHUP that arrives as soon as the server says it is
        // listening must reach the reload hook, not the default action (which ends the process).
        let running = Locked<GatewayService?>(nil)
        SignalHandling.install(
            onTerminate: { signalName in
                guard let service = running.get() else { exit(0) }
                service.logger.info("signal", ["signal": .string(signalName)])
                service.shutdown { exit(0) }
            },
            onReload: { running.get()?.reload() }
        )
        do {
            running.set(try GatewayService(configuration: configuration))
        } catch let problems as ConfigProblems {
            for problem in problems.problems { printError(problem.description) }
            exit(1)
        } catch {
            printError("tollgate: cannot start: \(error)")
            exit(1)
        }
        dispatchMain()
    }
}

/// Signal handling through Dispatch signal sources (never async-signal-unsafe work in a handler).
enum SignalHandling {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    private static let queue = DispatchQueue(label: "tollgate.signals")

    /// SIGTERM and SIGINT call `onTerminate` once (a second one exits at once); SIGHUP calls `onReload`.
    static func install(onTerminate: @escaping @Sendable (String) -> Void, onReload: @escaping @Sendable () -> Void) {
        let terminating = Locked(false)
        for (number, name) in [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                let second = terminating.withLock { t -> Bool in defer { t = true }; return t }
                if second { exit(1) }
                onTerminate(name)
            }
            source.resume()
            sources.append(source)
        }
        signal(SIGHUP, SIG_IGN)
        let hup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: queue)
        hup.setEventHandler { onReload() }
        hup.resume()
        sources.append(hup)
    }
}
