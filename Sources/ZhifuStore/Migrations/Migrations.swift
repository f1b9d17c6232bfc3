/// The schema's history: append-only, one numbered file per migration, DDL per dialect where the
/// two differ. A migration that has shipped is never edited; the next one is added to `all`.
public enum Migrations {
    public static let all: [Migration] = [v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12, v13, v14, v15, v16, v17, v18, v19, v20, v21]
}
