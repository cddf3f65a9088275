import FoundationEssentials

/// A question to the ledger (`GET /v1/usage?from=&to=&group_by=org|key|model|day`, admin only): records with
/// `from <= time < to`, optionally only one key's or one org's, totalled per group.
public struct UsageQuery: Sendable, Equatable {
    /// How records are grouped.
    public enum GroupBy: String, Sendable, CaseIterable {
        /// By `org` (records without one form the `null` group).
        case org
        /// By `key_id`.
        case key
        /// By the answering model (the requested one when none answered).
        case model
        /// By UTC day, `YYYY-MM-DD`.
        case day
    }

    /// Start, inclusive.
    public var from: Date
    /// End, exclusive.
    public var to: Date
    /// Grouping; nil for the totals only.
    public var groupBy: GroupBy?
    /// Only this key's records.
    public var keyID: String?
    /// Only this organisation's records.
    public var org: String?

    /// A query.
    public init(from: Date, to: Date, groupBy: GroupBy? = nil, keyID: String? = nil, org: String? = nil) {
        self.from = from
        self.to = to
        self.groupBy = groupBy
        self.keyID = keyID
        self.org = org
    }

    /// True when `record` is in range and passes the filters.
    public func matches(_ record: UsageRecord) -> Bool {
        guard record.time >= from, record.time < to else { return false }
        if let keyID, record.keyID != keyID { return false }
        if let org, record.org != org { return false }
        return true
    }

    /// The group `record` falls in under ``groupBy`` (nil: the `null` group).
    public func group(of record: UsageRecord) -> String? {
        switch groupBy {
        case nil: return nil
        case .org: return record.org
        case .key: return record.keyID
        case .model: return record.answeringModel ?? record.requestedModel
        case .day: return record.day.description
        }
    }
}
