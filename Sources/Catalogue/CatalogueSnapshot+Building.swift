import Support

extension CatalogueSnapshot {
    /// Validates a set of documents together and builds a snapshot.
    ///
    /// Cross-document checks: ids and aliases unique; `base_model` exists and has no cycle (depth ≤ 16);
    /// the resolved view of each document is valid (e.g. inherited `dimensions` within
    /// `supported_dimensions`); `failover` exists, is not the model itself, and forms no cycle.
    /// - Parameter location: where document `i` lives, prefixed to error fields (`models[3]`).
    public static func build(
        documents: [ModelDocument], version: UInt64,
        location: (Int) -> JSONPath = { JSONPath("models")[$0] }
    ) throws(CatalogueError) -> CatalogueSnapshot {
        // Ids and aliases.
        var owner: [String: Int] = [:]
        var aliasToID: [String: String] = [:]
        for (i, doc) in documents.enumerated() {
            if owner[doc.id] != nil {
                throw CatalogueError(.duplicateID, "id \"\(doc.id)\" is used more than once", field: location(i) + "id")
            }
            owner[doc.id] = i
        }
        for (i, doc) in documents.enumerated() {
            for (j, alias) in doc.aliases.enumerated() {
                if owner[alias] != nil || aliasToID[alias] != nil {
                    throw CatalogueError(.duplicateID, "alias \"\(alias)\" is already used by another model",
                                         field: (location(i) + "aliases")[j])
                }
                aliasToID[alias] = doc.id
            }
        }
        func index(of ref: String) -> Int? { owner[ref] ?? aliasToID[ref].flatMap { owner[$0] } }

        // Inheritance, resolved depth-first with memoisation.
        var resolvedJSON: [JSONObject?] = Array(repeating: nil, count: documents.count)
        func resolve(_ i: Int, _ stack: [Int]) throws(CatalogueError) -> JSONObject {
            if let done = resolvedJSON[i] { return done }
            let doc = documents[i]
            var own = doc.json.objectValue!
            if let base = doc.baseModel {
                guard let b = index(of: base) else {
                    throw CatalogueError(.invalidBaseModel, "base model \"\(base)\" does not exist", field: location(i) + "base_model")
                }
                if stack.contains(b) || b == i {
                    throw CatalogueError(.invalidBaseModel, "base_model makes a cycle through \"\(documents[b].id)\"",
                                         field: location(i) + "base_model")
                }
                guard stack.count < 16 else {
                    throw CatalogueError(.invalidBaseModel, "base_model chain deeper than 16", field: location(i) + "base_model")
                }
                let inherited = try resolve(b, stack + [i])
                var merged = JSONObject()
                for name in ModelDocument.fieldNames {
                    if let value = own[name] {
                        merged[name] = value
                    } else if !ModelDocument.identityFieldNames.contains(name), let value = inherited[name] {
                        merged[name] = value
                    }
                }
                own = merged
            }
            resolvedJSON[i] = own
            return own
        }
        var models: [ResolvedModel] = []
        models.reserveCapacity(documents.count)
        for (i, doc) in documents.enumerated() {
            let json = try resolve(i, [])
            let resolved: ModelDocument
            do { resolved = try ModelDocument(json: .object(json), serverFields: .keep) } catch {
                throw error.prefixed(location(i))
            }
            models.append(ResolvedModel(document: doc, resolved: resolved))
        }

        // Failover targets and cycles (each model has at most one outgoing link).
        for (i, model) in models.enumerated() {
            guard let target = model.failover else { continue }
            let field = location(i) + "failover"
            guard let t = index(of: target) else {
                throw CatalogueError(.invalidFailover, "failover model \"\(target)\" does not exist", field: field)
            }
            if t == i { throw CatalogueError(.invalidFailover, "a model cannot fail over to itself", field: field) }
            var seen: Set<Int> = [i]
            var next: Int? = t
            while let n = next {
                if !seen.insert(n).inserted {
                    throw CatalogueError(.invalidFailover, "failover makes a cycle through \"\(documents[n].id)\"", field: field)
                }
                next = models[n].failover.flatMap(index(of:))
            }
        }
        models.sort { $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) }
        return CatalogueSnapshot(version: version, documents: documents, models: models, aliasToID: aliasToID)
    }

    /// Parses and validates a catalogue file (`{"models": [...]}`), reporting the first problem with its path.
    public static func load(fileBytes: [UInt8], version: UInt64) throws(CatalogueError) -> CatalogueSnapshot {
        try build(documents: try decodeFile(fileBytes), version: version)
    }

    /// Every problem in a catalogue file, one per document plus cross-document ones (for `check-config`).
    public static func problems(inFile bytes: [UInt8]) -> [CatalogueError] {
        let root: JSONValue
        do { root = try JSONValue.parse(bytes) } catch {
            return [CatalogueError(.invalidJSON, error.description)]
        }
        guard case .object(let object) = root, case .array(let items)? = object["models"] else {
            return [CatalogueError(.wrongType, "expected {\"models\": [ … ]}", field: "models")]
        }
        var problems: [CatalogueError] = []
        for key in object.keys where key != "models" {
            problems.append(CatalogueError(.unknownField, "unknown field \"\(key)\"", field: JSONPath(stringLiteral: key)))
        }
        var documents: [ModelDocument] = []
        for (i, item) in items.enumerated() {
            do { documents.append(try ModelDocument(json: item, at: JSONPath("models")[i])) } catch { problems.append(error) }
        }
        if problems.isEmpty {
            do { _ = try build(documents: documents, version: 0) } catch { problems.append(error) }
        }
        return problems
    }

    /// Decodes the documents of a catalogue file without cross-document checks.
    static func decodeFile(_ bytes: [UInt8]) throws(CatalogueError) -> [ModelDocument] {
        let root: JSONValue
        do { root = try JSONValue.parse(bytes) } catch {
            throw CatalogueError(.invalidJSON, error.description)
        }
        var r = try ObjectReader(root, at: .root)
        guard let items = r.raw("models"), case .array(let list) = items else {
            throw CatalogueError(.wrongType, "expected {\"models\": [ … ]}", field: "models")
        }
        try r.finish()
        var documents: [ModelDocument] = []
        documents.reserveCapacity(list.count)
        for (i, item) in list.enumerated() {
            documents.append(try ModelDocument(json: item, at: JSONPath("models")[i]))
        }
        return documents
    }
}
