import Identity
import Core

/// The admin API's query strings: the shared parser, its failures answered as `invalid_query` naming the parameter.
public typealias AdminAPIQuery = QueryParameters

extension AdminAPIError {
    /// A query parameter that cannot be used: 400 `invalid_query` with the parameter as `field`.
    init(_ error: QueryParameterError) {
        self = .invalidQuery(error.message, field: error.field)
    }
}

/// Runs a query read, its failure as the admin API's error.
func adminQuery<T>(_ body: @autoclosure () throws(QueryParameterError) -> T) throws(AdminAPIError) -> T {
    do { return try body() } catch { throw AdminAPIError(error) }
}
