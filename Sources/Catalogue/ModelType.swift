import Support

/// What a model does (seed `001_…`, `type`): it decides which runtime operations and price kinds apply.
public enum ModelType: String, Sendable, CaseIterable {
    case completion
    case embeddings
    case imageGeneration = "image_generation"

    static func decode(_ value: JSONValue, at path: JSONPath) throws(CatalogueError) -> ModelType {
        let s = try Validation.string(value, length: 1...64, at: path)
        guard let type = ModelType(rawValue: s) else {
            throw CatalogueError(.invalidValue, "must be one of completion, embeddings, image_generation", field: path)
        }
        return type
    }
}
