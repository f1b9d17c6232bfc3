extension Migrations {
    /// 点餐后付 orders precreated by `koubei.trade.order.precreate`.
    static let v13 = Migration(name: "v13 koubei precreates", sqlite: v13Tables(integer: "INTEGER"), postgres: v13Tables(integer: "BIGINT"))

    private static func v13Tables(integer: String) -> [String] {
        [
            """
                CREATE TABLE koubei_precreates (
                  partner TEXT NOT NULL REFERENCES merchants(partner),
                  request_id TEXT NOT NULL,
                  order_no TEXT NOT NULL UNIQUE,
                  biz_type TEXT NOT NULL,
                  out_order_no TEXT NOT NULL,
                  shop_id TEXT NOT NULL,
                  created_at \(integer) NOT NULL,
                  PRIMARY KEY (partner, request_id)
                )
                """,
        ]
    }
}
