import Dispatch
import IO
import Support
import TLS

/// Connecting and logging in (``RedisClient``): resolve the host off the loop, connect without blocking (through a
/// TLS client session for `rediss://`), pipeline the login ahead of everything else, and on failure try again after
/// an exponential backoff with jitter. Confined to the client's loop.
extension RedisClient {
    func connect() {
        state = .connecting
        let host = configuration.host, port = configuration.port
        if let address = SocketAddress(host: host, port: port) { return open(address) }
        // A name: resolved off the loop (getaddrinfo blocks).
        DispatchQueue.global().async { [self] in
            let addresses = TCPConnector.resolve(host: host, port: port)
            loop.execute { [self] in
                guard case .connecting = state else { return }
                guard let first = addresses.first else { return attemptFailed("cannot resolve \(host)") }
                open(first)
            }
        }
    }

    func open(_ address: SocketAddress) {
        // Nothing owed by an earlier connection may take this one's replies.
        owed = []
        owedHead = 0
        output.removeAll(keepingCapacity: true)
        var layer: TLSSession?
        if configuration.tls {
            do {
                let context = try tlsContext ?? TLSContext(clientTrusting: configuration.caFile)
                tlsContext = context
                layer = context.makeSession(serverName: configuration.host, isServer: false)
            } catch {
                return attemptFailed("TLS: \(error)")
            }
            guard layer != nil else { return attemptFailed("TLS: no session") }
        }
        let made: TCPConnection
        do { made = try TCPConnector.connect(to: address, loop: loop, layer: layer) } catch { return attemptFailed("\(error)") }
        self.layer = layer
        connection = made
        parser = RESPParser()
        made.delegate = self
        made.start()
        // The login, pipelined ahead of everything else; the connection is ready when its last reply is OK.
        var login: [RedisCommand] = []
        if let password = configuration.password {
            login.append(configuration.username.map { RedisCommand("AUTH", $0, password) } ?? RedisCommand("AUTH", password))
        }
        if configuration.database != 0 { login.append(RedisCommand("SELECT", String(configuration.database))) }
        login.append(RedisCommand("CLIENT", "SETNAME", "tollgate-\(label)"))
        for (i, command) in login.enumerated() {
            let last = i == login.count - 1
            enqueue(command) { [weak self, weak made] result in
                guard let self, let made, self.connection === made else { return }
                if case .failure(let error) = result {
                    self.logger.error("redis_login_failed", ["command": .string(command.name), "error": .string(error.description)])
                    return made.close()
                }
                if last { self.becameReady() }
            }
        }
    }

    func becameReady() {
        state = .ready
        failures = 0
        readyFlag.set(true)
        logger.info("redis_connected", ["host": .string(configuration.host), "port": .int(Int(configuration.port)), "role": .string(label)])
        onReady?()
    }

    func attemptFailed(_ reason: String) {
        connection = nil
        guard case .connecting = state else { return }
        if failures == 0 {
            logger.error("redis_unreachable", ["host": .string(configuration.host), "port": .int(Int(configuration.port)), "error": .string(reason)])
        }
        scheduleReconnect()
    }

    func scheduleReconnect() {
        state = .backingOff
        let exponent = min(failures, 16)
        failures += 1
        let ceiling = min(configuration.reconnectMaxMs, configuration.reconnectBaseMs << exponent)
        // Full jitter between half and the whole ceiling, so a fleet does not reconnect in lockstep.
        let delay = ceiling / 2 + Int.random(in: 0...max(1, ceiling / 2))
        loop.queue.asyncAfter(deadline: .now() + .milliseconds(delay)) { [weak self] in
            guard let self, case .backingOff = self.state else { return }
            self.connect()
        }
    }
}
