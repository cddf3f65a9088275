/// Where a credential set comes from. Config names a source, never a secret
/// ([environment variables](https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-envvars.html)).
public enum AWSCredentialsSource: Sendable, Hashable {
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and optional `AWS_SESSION_TOKEN`.
    case standardEnvironment
    /// Three environment variables named by config (the token variable is optional, and may be unset).
    case environmentVariables(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil)
    /// One environment variable whose value is a credentials document (format in ``AWSCredentialsProvider``).
    case environmentDocument(variable: String)
    /// A file holding a credentials document (format in ``AWSCredentialsProvider``).
    case file(path: String)
}
