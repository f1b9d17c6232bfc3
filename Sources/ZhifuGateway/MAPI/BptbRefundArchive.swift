import Foundation
import ZIPFoundation
import ZhifuCore
import ZhifuProtocol
import ZhifuXLS

/// Seed 003's download: `ALIPAY_<millis>_R.zip` holding `ALIPAY_<date>_R_<partner>.csv` (GBK) and
/// `.xls` with the fields of 表5-1: 总金额, 总笔数, 支付宝账户, then one line per refund ticket.
enum BptbRefundArchive {
    static let ticketColumns = ["商户批次号", "商户流水号", "收款银行户名", "收款银行账号", "收款开户银行", "收款银行所在省份", "收款银行所在市",
                                "收款支行名称", "金额", "对公对私标志", "备注", "提现流水号", "退票日期", "退票原因"]

    /// The lines both files hold.
    static func lines(payerLogonId: String, tickets: [(file: BptbFile, row: BptbRow)], calendar: BusinessCalendar) -> [[String]] {
        let total = Amount(fen: tickets.reduce(0) { $0 + ($1.row.amount?.fen ?? 0) })
        var lines = [["总金额", "总笔数", "支付宝账户"], [total.description, String(tickets.count), payerLogonId], ticketColumns]
        for (file, row) in tickets {
            lines.append([file.batchName, row.serialNo, row.payeeName, row.accountNo, row.bankName, row.province, row.city, row.branch,
                          row.amount?.description ?? row.amountText, row.flag, row.memo, row.withdrawNo ?? "",
                          row.finishedAt.map { chineseTimestamp(calendar.timestamp($0)) } ?? "", row.bounceReason ?? ""])
        }
        return lines
    }

    /// `2010-12-18 09:00:00` as 表5-1 prints it: `2010年12月18日 09:00:00`.
    static func chineseTimestamp(_ timestamp: String) -> String {
        let c = Array(timestamp)
        guard c.count == 19 else { return timestamp }
        return String(c[0..<4]) + "年" + String(c[5..<7]) + "月" + String(c[8..<10]) + "日 " + String(c[11..<19])
    }

    /// CSV (RFC 4180 quoting) in GBK; a character GBK lacks becomes `?` rather than failing the file.
    static func csv(_ lines: [[String]]) -> [UInt8] {
        var bytes: [UInt8] = []
        for line in lines {
            for (index, field) in line.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                let quoted = field.contains { $0 == "," || $0 == "\"" || $0.isNewline } ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
                bytes += Charset.gbk.encode(quoted) ?? quoted.flatMap { Charset.gbk.encode(String($0)) ?? [UInt8(ascii: "?")] }
            }
            bytes += [0x0D, 0x0A]
        }
        return bytes
    }

    /// The zip's name and bytes.
    static func archive(partner: UserId, date: String, lines: [[String]], now: Date) throws -> (name: String, bytes: [UInt8]) {
        let base = "ALIPAY_\(date)_R_\(partner.rawValue)"
        let files: [(String, [UInt8])] = [(base + ".xls", try Workbook(sheetName: "退票明细", rows: lines).data()), (base + ".csv", csv(lines))]
        let archive = try Archive(data: Data(), accessMode: .create)
        for (name, bytes) in files {
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(bytes.count), modificationDate: now, compressionMethod: .deflate) { position, size in
                Data(bytes[Int(position)..<Int(position) + size])
            }
        }
        guard let data = archive.data else { throw StoreError.database("the zip could not be written") }
        return ("ALIPAY_\(now.epochMilliseconds)_R.zip", Array(data))
    }
}
