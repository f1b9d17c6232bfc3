import Foundation
import Testing
import ZhifuCore
import ZhifuStore
import ZhifuStorePostgres
import ZhifuStoreSQLite

@Suite struct SchemaTests {
    /// The migrations are written per dialect where the DDL differs: after all of them, both
    /// databases have the same tables, columns, nullability and unique keys.
    @Test(.enabled(if: StoreKind.postgresURL != nil, "needs ZHIFU_TEST_DATABASE_URL"))
    func bothStoresEndAtTheSameSchema() async throws {
        let sqlite = try SQLiteStore(path: nil)
        try await sqlite.migrate()
        let postgres = try #require(try await StoreKind.postgres.make() as? PostgresStore)
        let sqliteSchema = try await sqlite.database.schema()
        let postgresSchema = try await postgres.database.schema()
        #expect(sqliteSchema.tables.keys.sorted() == postgresSchema.tables.keys.sorted())
        for table in sqliteSchema.tables.keys.sorted() {
            #expect(sqliteSchema.tables[table] == postgresSchema.tables[table], "columns of \(table)")
            #expect(sqliteSchema.uniqueKeys[table] == postgresSchema.uniqueKeys[table], "unique keys of \(table)")
        }
        #expect(sqliteSchema.tables.count >= 12, "\(sqliteSchema)")
    }
}
