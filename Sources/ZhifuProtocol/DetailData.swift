/// Why a `^`/`|`/`#`/`$`-delimited field of a request could not be read, with the seed's code.
public struct DetailDataError: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: MAPIError
    /// 1-based record number, when one record is at fault.
    public var record: Int?
    public var reason: String

    public init(_ code: MAPIError, record: Int? = nil, _ reason: String) {
        self.code = code; self.record = record; self.reason = reason
    }

    public var description: String {
        "\(code.rawValue)\(record.map { " (record \($0))" } ?? ""): \(reason)"
    }
}

/// Splits on a separator, tolerating one trailing separator (`a|b|`), as the seeds' samples end.
private func records(_ text: String, separator: Character) -> [Substring] {
    var parts = text.split(separator: separator, omittingEmptySubsequences: false)
    if parts.count > 1, parts.last?.isEmpty == true { parts.removeLast() }
    return parts
}

/// One record of `batch_trans_notify`'s `detail_data` (seed 000 §4.2):
/// `流水号^收款方账号^收款账号姓名^付款金额^备注说明`, records separated by `|`.
public struct BatchTransDetail: Sendable, Equatable, Codable {
    /// 流水号: the merchant's serial number, unique in the batch.
    public var serialNo: String
    /// 收款方账号: the payee's Alipay logon id (email or phone) or user id.
    public var payeeAccount: String
    /// 收款账号姓名: must equal the payee account's real name.
    public var payeeName: String
    /// 付款金额.
    public var amount: Amount
    /// 备注说明 (may be empty).
    public var remark: String

    public init(serialNo: String, payeeAccount: String, payeeName: String, amount: Amount, remark: String) {
        self.serialNo = serialNo; self.payeeAccount = payeeAccount; self.payeeName = payeeName
        self.amount = amount; self.remark = remark
    }

    /// At most 1000 records (付款详细数据，最多支持 1000 笔).
    public static let maximumRecords = 1000

    public static func parse(_ text: String) throws(DetailDataError) -> [BatchTransDetail] {
        guard !text.isEmpty else { throw DetailDataError(.illegalArgument, "detail_data is empty") }
        let lines = records(text, separator: "|")
        guard lines.count <= maximumRecords else {
            throw DetailDataError(.batchNumExceedLimit, "\(lines.count) records, at most \(maximumRecords)")
        }
        var details: [BatchTransDetail] = []
        var serials = Set<String>()
        for (index, line) in lines.enumerated() {
            let fields = line.split(separator: "^", omittingEmptySubsequences: false).map(String.init)
            let record = index + 1
            guard fields.count == 5 else {
                throw DetailDataError(.illegalArgument, record: record, "expected 5 fields separated by ^, found \(fields.count)")
            }
            guard !fields[0].isEmpty, fields[0].count <= 64 else {
                throw DetailDataError(.illegalArgument, record: record, "流水号 is empty or longer than 64")
            }
            guard !fields[1].isEmpty, fields[1].count <= 100 else {
                throw DetailDataError(.illegalArgument, record: record, "收款方账号 is empty or longer than 100")
            }
            guard !fields[2].isEmpty, fields[2].count <= 128 else {
                throw DetailDataError(.illegalArgument, record: record, "收款账号姓名 is empty or longer than 128")
            }
            guard let amount = Amount(fields[3]), amount.fen > 0 else {
                throw DetailDataError(.illegalArgument, record: record, "付款金额 \"\(fields[3])\" is not an amount above 0")
            }
            guard fields[4].count <= 200 else {
                throw DetailDataError(.illegalArgument, record: record, "备注说明 is longer than 200")
            }
            guard serials.insert(fields[0]).inserted else {
                throw DetailDataError(.illegalArgument, record: record, "流水号 \(fields[0]) appears twice")
            }
            details.append(BatchTransDetail(serialNo: fields[0], payeeAccount: fields[1], payeeName: fields[2], amount: amount, remark: fields[4]))
        }
        return details
    }

    public static func format(_ details: [BatchTransDetail]) -> String {
        details.map { "\($0.serialNo)^\($0.payeeAccount)^\($0.payeeName)^\($0.amount)^\($0.remark)" }.joined(separator: "|")
    }
}

/// One record of `success_details` / `fail_details` (seed 000 §6.2), 8 fields:
/// `流水号^收款方账号^收款账号姓名^付款金额^标识(S|F)^原因^支付宝内部流水号^完成时间`, each ending in `|`.
public struct TransResultDetail: Sendable, Equatable {
    public var serialNo: String
    public var payeeAccount: String
    public var payeeName: String
    public var amount: Amount
    /// `true` for S (成功), `false` for F (失败).
    public var succeeded: Bool
    /// `null` on success, the failure code otherwise (e.g. TXN_RESULT_ACCOUNT_BALANCE_NOT_ENOUGH).
    public var reason: String
    /// 支付宝内部流水号.
    public var innerNo: String
    /// 完成时间, yyyyMMddHHmmss.
    public var finishedAt: String

    public init(serialNo: String, payeeAccount: String, payeeName: String, amount: Amount, succeeded: Bool,
                reason: String, innerNo: String, finishedAt: String) {
        self.serialNo = serialNo; self.payeeAccount = payeeAccount; self.payeeName = payeeName; self.amount = amount
        self.succeeded = succeeded; self.reason = reason; self.innerNo = innerNo; self.finishedAt = finishedAt
    }

    /// Every record followed by `|`, as in the seed's sample notification.
    public static func format(_ details: [TransResultDetail]) -> String {
        details.map {
            "\($0.serialNo)^\($0.payeeAccount)^\($0.payeeName)^\($0.amount)^\($0.succeeded ? "S" : "F")^\($0.reason)^\($0.innerNo)^\($0.finishedAt)|"
        }.joined()
    }

    public static func parse(_ text: String) throws(DetailDataError) -> [TransResultDetail] {
        if text.isEmpty { return [] }
        var details: [TransResultDetail] = []
        for (index, line) in records(text, separator: "|").enumerated() {
            let fields = line.split(separator: "^", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 8, let amount = Amount(fields[3]), fields[4] == "S" || fields[4] == "F",
                  fields[7].count == 14, fields[7].allSatisfy(\.isASCII), fields[7].allSatisfy(\.isNumber)
            else { throw DetailDataError(.illegalArgument, record: index + 1, "not 8 valid ^-separated fields") }
            details.append(TransResultDetail(serialNo: fields[0], payeeAccount: fields[1], payeeName: fields[2], amount: amount,
                                             succeeded: fields[4] == "S", reason: fields[5], innerNo: fields[6], finishedAt: fields[7]))
        }
        return details
    }
}

/// One record of `refund_fastpay_by_platform_pwd`'s `detail_data` (seed 001 §4.3):
/// `原付款支付宝交易号^退款总金额^退款理由`, records separated by `#`, with an optional fee-refund
/// part after `$`: `退费账号^退费账户ID^退费金额`.
public struct RefundDetail: Sendable, Equatable {
    public struct FeeRefund: Sendable, Equatable {
        public var account: String
        public var userId: String
        public var amount: Amount
    }

    public var tradeNo: String
    public var amount: Amount
    public var reason: String
    public var feeRefund: FeeRefund?

    public static let maximumRecords = 1000
    /// 退款理由 at most 256 bytes (in the request's charset).
    public static let maximumReasonBytes = 256

    public static func parse(_ text: String, charset: Charset = .utf8) throws(DetailDataError) -> [RefundDetail] {
        guard !text.isEmpty else { throw DetailDataError(.detailDataFormatError, "detail_data is empty") }
        let lines = text.split(separator: "#", omittingEmptySubsequences: false)
        guard lines.count <= maximumRecords else {
            throw DetailDataError(.batchNumExceedLimit, "\(lines.count) records, at most \(maximumRecords)")
        }
        var details: [RefundDetail] = []
        var tradeNos = Set<String>()
        for (index, line) in lines.enumerated() {
            let record = index + 1
            let parts = line.split(separator: "$", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { throw DetailDataError(.detailDataFormatError, record: record, "more than one $ part") }
            if line.contains("|") { throw DetailDataError(.pwdRefundNotAllowRoyalty, record: record, "royalty refund (|) is not allowed") }
            let fields = parts[0].split(separator: "^", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 3, !fields[0].isEmpty, fields[0].count <= 64 else {
                throw DetailDataError(.detailDataFormatError, record: record, "expected 交易号^退款总金额^退款理由")
            }
            guard let amount = Amount(fields[1]), amount.fen > 0 else {
                throw DetailDataError(.refundAmountNotValid, record: record, "退款总金额 \"\(fields[1])\" is not an amount above 0")
            }
            guard (charset.encode(fields[2])?.count ?? .max) <= maximumReasonBytes else {
                throw DetailDataError(.singleDetailDataExceedLimit, record: record, "退款理由 is longer than 256 bytes")
            }
            var fee: FeeRefund?
            if parts.count == 2 {
                let feeFields = parts[1].split(separator: "^", omittingEmptySubsequences: false).map(String.init)
                guard feeFields.count == 3, !feeFields[0].isEmpty, !feeFields[1].isEmpty else {
                    throw DetailDataError(.detailDataFormatError, record: record, "expected 退费账号^退费账户ID^退费金额 after $")
                }
                guard let feeAmount = Amount(feeFields[2]), feeAmount.fen > 0 else {
                    throw DetailDataError(.refundChargeFeeError, record: record, "退费金额 \"\(feeFields[2])\" is not an amount above 0")
                }
                fee = FeeRefund(account: feeFields[0], userId: feeFields[1], amount: feeAmount)
            }
            guard tradeNos.insert(fields[0]).inserted else {
                throw DetailDataError(.dublTradeNoInSameBatch, record: record, "交易号 \(fields[0]) appears twice")
            }
            details.append(RefundDetail(tradeNo: fields[0], amount: amount, reason: fields[2], feeRefund: fee))
        }
        return details
    }
}

/// One record of a refund notification's `result_details` (seed 001 §5.2):
/// `交易号^退款金额^处理结果`, optionally `$退费账号^退费账户ID^退费金额^处理结果`, records joined by `#`.
public struct RefundResultDetail: Sendable, Equatable {
    public struct FeeResult: Sendable, Equatable {
        public var account: String
        public var userId: String
        public var amount: Amount
        public var result: String

        public init(account: String, userId: String, amount: Amount, result: String) {
            self.account = account; self.userId = userId; self.amount = amount; self.result = result
        }
    }

    public var tradeNo: String
    public var amount: Amount
    /// `SUCCESS` or an error code of seed 001 §9.1.
    public var result: String
    public var feeResult: FeeResult?

    public init(tradeNo: String, amount: Amount, result: String, feeResult: FeeResult?) {
        self.tradeNo = tradeNo; self.amount = amount; self.result = result; self.feeResult = feeResult
    }

    public static func format(_ details: [RefundResultDetail]) -> String {
        details.map { detail in
            var text = "\(detail.tradeNo)^\(detail.amount)^\(detail.result)"
            if let fee = detail.feeResult { text += "$\(fee.account)^\(fee.userId)^\(fee.amount)^\(fee.result)" }
            return text
        }.joined(separator: "#")
    }

    public static func parse(_ text: String) throws(DetailDataError) -> [RefundResultDetail] {
        if text.isEmpty { return [] }
        var details: [RefundResultDetail] = []
        for (index, line) in text.split(separator: "#", omittingEmptySubsequences: false).enumerated() {
            let parts = line.split(separator: "$", omittingEmptySubsequences: false)
            let fields = parts[0].split(separator: "^", omittingEmptySubsequences: false).map(String.init)
            guard parts.count <= 2, fields.count == 3, let amount = Amount(fields[1]) else {
                throw DetailDataError(.detailDataFormatError, record: index + 1, "expected 交易号^退款金额^处理结果")
            }
            var fee: FeeResult?
            if parts.count == 2 {
                let f = parts[1].split(separator: "^", omittingEmptySubsequences: false).map(String.init)
                guard f.count == 4, let feeAmount = Amount(f[2]) else {
                    throw DetailDataError(.detailDataFormatError, record: index + 1, "expected 退费账号^退费账户ID^退费金额^处理结果")
                }
                fee = FeeResult(account: f[0], userId: f[1], amount: feeAmount, result: f[3])
            }
            details.append(RefundResultDetail(tradeNo: fields[0], amount: amount, result: fields[2], feeResult: fee))
        }
        return details
    }
}

/// `extend_param` (seed 000 §4.2): `参数名1^参数值1|参数名2^参数值2`, at most 200 characters.
public enum ExtendParam {
    public static let maximumLength = 200

    public static func parse(_ text: String) throws(DetailDataError) -> [(name: String, value: String)] {
        if text.isEmpty { return [] }
        guard text.count <= maximumLength else { throw DetailDataError(.illegalArgument, "extend_param is longer than 200") }
        var pairs: [(name: String, value: String)] = []
        for (index, item) in records(text, separator: "|").enumerated() {
            let fields = item.split(separator: "^", omittingEmptySubsequences: false)
            guard fields.count == 2, !fields[0].isEmpty else {
                throw DetailDataError(.illegalArgument, record: index + 1, "extend_param entries are 参数名^参数值")
            }
            pairs.append((String(fields[0]), String(fields[1])))
        }
        return pairs
    }
}
