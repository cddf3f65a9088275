#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import FoundationEssentials
import Server
import IO
import StandIn
import Support
import TLS

/// `tollgate demo`: the stand-in and the gateway on loopback with the shipped config, and a snippet to try.
///
/// Besides the config's plain-HTTP listener the demo serves HTTPS, because boto3 sends a Bedrock API key
/// (`AWS_BEARER_TOKEN_BEDROCK`) over HTTPS only: a self-signed certificate for `localhost`/`127.0.0.1` is made in
/// `var/tls/` beside the config directory on first start and reused afterwards, so a client told to trust it once
/// keeps trusting it.
enum DemoCommand {
    static func run(_ arguments: CommandLineArguments) throws(CommandLineArguments.UsageError) -> Never {
        let configPath = arguments.options["--config"] ?? "config/tollgate.json"
        var configuration: GatewayConfiguration
        do {
            configuration = try GatewayConfiguration.load(path: configPath)
        } catch {
            for problem in error.problems { printError(problem.description) }
            exit(1)
        }
        let standInPort = try arguments.port("--stand-in-port", default: 9911)
        let tlsPort = try arguments.port("--tls-port", default: 8443)
        if let port = try arguments.portIfGiven("--port") {
            configuration.listen = [SocketAddress(host: "127.0.0.1", port: port)!]
            configuration.server.addresses = configuration.listen
        }
        let standIn: StandInServer
        do {
            standIn = try StandInServer(configuration: .init(
                credentials: [StandInCommand.defaultAccessKeyID: StandInCommand.defaultSecret],
                address: SocketAddress(host: "127.0.0.1", port: standInPort)!,
                roles: rolesNamed(inCatalogue: configuration.cataloguePath)
            ))
        } catch {
            printError("tollgate: cannot start the stand-in on port \(standInPort): \(error)")
            exit(1)
        }
        // The demo signs upstream calls with the stand-in's key pair, from the standard environment variables.
        setenv("AWS_ACCESS_KEY_ID", StandInCommand.defaultAccessKeyID, 1)
        setenv("AWS_SECRET_ACCESS_KEY", StandInCommand.defaultSecret, 1)
        unsetenv("AWS_SESSION_TOKEN")
        configuration.endpoint = standIn.endpoint
        configuration.stsEndpoint = standIn.endpoint
        let certificate: (certificate: String, key: String)
        do throws(TLSError) {
            certificate = try demoCertificate(configPath: configPath)
        } catch {
            printError("tollgate: cannot make the demo's TLS certificate: \(error)")
            exit(1)
        }
        configuration.tlsListen = [GatewayConfiguration.TLSListen(
            address: SocketAddress(host: "127.0.0.1", port: tlsPort)!, certificatePath: certificate.certificate,
            privateKeyPath: certificate.key, configPath: "demo.tls"
        )]
        let service: GatewayService
        do {
            service = try GatewayService(configuration: configuration)
        } catch {
            printError("tollgate: cannot start the gateway: \(error)")
            exit(1)
        }
        SignalHandling.install(
            onTerminate: { _ in service.shutdown { exit(0) } },
            onReload: { service.reload() }
        )
        let gatewayURL = "http://\(service.localAddresses[0])"
        let tlsURL = "https://localhost:\(service.tlsAddresses[0].port)"
        printError(snippet(gatewayURL: gatewayURL, tlsURL: tlsURL, certificate: certificate.certificate, standIn: standIn.endpoint))
        // One machine-readable line for scripts and tests that start the demo on port 0.
        let ready: JSONValue = .object([
            "event": "demo_ready", "gateway": .string(gatewayURL), "gateway_tls": .string(tlsURL),
            "certificate": .string(certificate.certificate), "stand_in": .string(standIn.endpoint),
        ])
        print(ready.serializedString())
        fflush(nil)
        dispatchMain()
    }

    /// The roles the catalogue's models are called as, with their external ids: the stand-in plays STS for them.
    static func rolesNamed(inCatalogue path: String) -> [String: String?] {
        guard let bytes = try? AtomicFile.read(path), let models = (try? JSONValue.parse(bytes))?["models"]?.arrayValue else { return [:] }
        var roles: [String: String?] = [:]
        for model in models {
            guard let provider = model["provider_config"], let arn = provider["assume_role_arn"]?.stringValue else { continue }
            roles[arn] = provider["assume_role_external_id"]?.stringValue
        }
        return roles
    }

    /// The demo's certificate and key: `var/tls/demo-cert.pem` and `demo-key.pem` beside the config directory,
    /// made when missing or unusable.
    static func demoCertificate(configPath: String) throws(TLSError) -> (certificate: String, key: String) {
        let configDirectory = configPath.contains("/") ? String(configPath[..<configPath.lastIndex(of: "/")!]) : "."
        // An absolute path, so the one printed for clients works from any directory.
        var directory = configDirectory + "/../var/tls"
        if let resolved = realpath(configDirectory + "/..", nil) {
            directory = String(cString: resolved) + "/var/tls"
            free(resolved)
        }
        let paths = (certificate: directory + "/demo-cert.pem", key: directory + "/demo-key.pem")
        if (try? TLSContext(certificatePath: paths.certificate, privateKeyPath: paths.key)) != nil { return paths }
        var parent = ""
        for component in directory.split(separator: "/", omittingEmptySubsequences: false) {
            parent += (parent.isEmpty && !directory.hasPrefix("/") ? "" : "/") + component
            if !component.isEmpty { mkdir(parent, 0o755) }
        }
        try SelfSignedCertificate.write(certificatePath: paths.certificate, privateKeyPath: paths.key)
        return paths
    }

    static func snippet(gatewayURL: String, tlsURL: String, certificate: String, standIn: String) -> String {
        """

        Tollgate demo: gateway on \(gatewayURL) and \(tlsURL) (self-signed: \(certificate)),
        Bedrock stand-in on \(standIn). Ctrl-C stops both.
        Demo keys (config/keys.json): client tg-demo-client-key-0123456789abcdef (org demo),
        admin tg-demo-admin-key-0123456789abcdef, SigV4 pair TGDEMOACCESSKEY0001 / config/demo-sigv4.secret.

        Try it with boto3 (pip install boto3), signing with SigV4 like any AWS SDK:

            import boto3
            client = boto3.client("bedrock-runtime", region_name="us-east-1", endpoint_url="\(gatewayURL)",
                                  aws_access_key_id="TGDEMOACCESSKEY0001",
                                  aws_secret_access_key="tollgate-demo-sigv4-secret-0123456789")
            answer = client.converse(modelId="anthropic.claude-3-haiku-20240307-v1:0",
                                     messages=[{"role": "user", "content": [{"text": "Hello"}]}])
            print(answer["output"]["message"]["content"][0]["text"], answer["usage"])

        or with a Bedrock API key, which boto3 sends over HTTPS only:

            AWS_BEARER_TOKEN_BEDROCK=tg-demo-client-key-0123456789abcdef python3 -c '
            import boto3
            client = boto3.client("bedrock-runtime", region_name="us-east-1", endpoint_url="\(tlsURL)",
                                  verify="\(certificate)")
            print(client.converse(modelId="anthropic.claude-3-haiku-20240307-v1:0",
                                  messages=[{"role": "user", "content": [{"text": "Hello"}]}])["output"])'

        or any OpenAI SDK (every completion model of the catalogue answers, Claude included):

            from openai import OpenAI
            client = OpenAI(base_url="\(gatewayURL)/openai/v1", api_key="tg-demo-client-key-0123456789abcdef")
            print(client.chat.completions.create(model="anthropic.claude-3-haiku-20240307-v1:0",
                                                 messages=[{"role": "user", "content": "Hello"}]).choices[0].message.content)

        or curl:

            curl -s \(gatewayURL)/model/anthropic.claude-3-haiku-20240307-v1:0/invoke \\
              -H 'Authorization: Bearer tg-demo-client-key-0123456789abcdef' -H 'Content-Type: application/json' \\
              -d '{"anthropic_version":"bedrock-2023-05-31","max_tokens":64,"messages":[{"role":"user","content":"Hello"}]}'

        """
    }
}
