import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real nginx (Debian's package, which the test command installs) as a round-robin HTTP load balancer on a free
/// loopback port in front of `backends`, as an operator would put one in front of Tollgate replicas.
public final class NginxProcess {
    public private(set) var port: UInt16 = 0
    private var process: Process?
    private let directory: URL

    public init(backends: [UInt16]) throws {
        guard let binary = ["/usr/sbin/nginx", "/usr/bin/nginx"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw RedisServerError(message: "nginx is not installed (deploy/install-deps.sh installs it)")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-nginx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("tmp"), withIntermediateDirectories: true)
        for _ in 0..<5 {
            port = try RedisServerProcess.freePort()
            let conf = """
            worker_processes 1;
            daemon off;
            pid \(directory.path)/nginx.pid;
            error_log \(directory.path)/error.log warn;
            events { worker_connections 256; }
            http {
              access_log off;
              client_body_temp_path \(directory.path)/tmp/body;
              proxy_temp_path \(directory.path)/tmp/proxy;
              fastcgi_temp_path \(directory.path)/tmp/fastcgi;
              uwsgi_temp_path \(directory.path)/tmp/uwsgi;
              scgi_temp_path \(directory.path)/tmp/scgi;
              upstream tollgate { \(backends.map { "server 127.0.0.1:\($0);" }.joined(separator: " ")) keepalive 16; }
              server {
                listen 127.0.0.1:\(port);
                location / {
                  proxy_pass http://tollgate;
                  proxy_http_version 1.1;
                  proxy_set_header Connection "";
                  proxy_buffering off;
                }
              }
            }
            """
            let confPath = directory.appendingPathComponent("nginx.conf").path
            try conf.write(toFile: confPath, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["-p", directory.path, "-e", directory.appendingPathComponent("early.log").path, "-c", confPath]
            process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
            process.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try process.run()
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline, process.isRunning {
                if (try? TestHTTPClient(port: port).request("GET", "/healthz").status) == 200 {
                    self.process = process
                    return
                }
                usleep(10_000)
            }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        throw RedisServerError(message: "nginx did not start: \((try? String(contentsOf: directory.appendingPathComponent("error.log"), encoding: .utf8)) ?? "")")
    }

    deinit { stop(); try? FileManager.default.removeItem(at: directory) }

    public func stop() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGQUIT)
        process.waitUntilExit()
        self.process = nil
    }
}
