#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import FoundationEssentials
import Gateway
import IO
import StandIn

/// `tollgate demo`: the stand-in and the gateway on loopback with the shipped config, and a snippet to try.
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
        if let port = try arguments.portIfGiven("--port") {
            configuration.listen = [SocketAddress(host: "127.0.0.1", port: port)!]
            configuration.server.addresses = configuration.listen
        }
        let standIn: StandInServer
        do {
            standIn = try StandInServer(configuration: .init(
                credentials: [StandInCommand.defaultAccessKeyID: StandInCommand.defaultSecret],
                address: SocketAddress(host: "127.0.0.1", port: standInPort)!
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
        let service: GatewayService
        do {
            service = try GatewayService(configuration: configuration)
        } catch {
            printError("tollgate: cannot start the gateway: \(error)")
            exit(1)
        }
        SignalHandling.install(
            onTerminate: { _ in service.shutdown { exit(0) } },
            onReload: { service.gateway.reload() }
        )
        let gatewayURL = "http://\(service.localAddresses[0])"
        printError(snippet(gatewayURL: gatewayURL, standIn: standIn.endpoint))
        // One machine-readable line for scripts and tests that start the demo on port 0.
        print("{\"event\":\"demo_ready\",\"gateway\":\"\(gatewayURL)\",\"stand_in\":\"\(standIn.endpoint)\"}")
        fflush(nil)
        dispatchMain()
    }

    static func snippet(gatewayURL: String, standIn: String) -> String {
        """

        Tollgate demo: gateway on \(gatewayURL), Bedrock stand-in on \(standIn). Ctrl-C stops both.
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

        or with a Bedrock API key (AWS_BEARER_TOKEN_BEDROCK=tg-demo-client-key-0123456789abcdef for boto3), or curl:

            curl -s \(gatewayURL)/model/anthropic.claude-3-haiku-20240307-v1:0/invoke \\
              -H 'Authorization: Bearer tg-demo-client-key-0123456789abcdef' -H 'Content-Type: application/json' \\
              -d '{"anthropic_version":"bedrock-2023-05-31","max_tokens":64,"messages":[{"role":"user","content":"Hello"}]}'

        """
    }
}
