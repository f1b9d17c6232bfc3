import ZhifuCore
import ZhifuProtocol

/// Seed 000 §5.2 图5-1: a page service's error, with the code and its meaning.
struct ErrorModel {
    var code: String
    var meaning: String
    var detail: String?

    init(_ failure: MAPIFailure) {
        code = failure.code.rawValue
        meaning = failure.code.meaning
        detail = failure.message.isEmpty ? nil : failure.message
    }

    /// A page method's (page.pay, wap.pay, app.pay) error: the gateway's code and sub_code.
    init(_ error: OpenAPIError) {
        code = error.subCode ?? error.code
        meaning = error.subMsg ?? error.msg
        detail = "\(error.code) \(error.msg)"
    }
}

/// A batch's records (seed 000 图2-2, 图2-3), with their outcomes once it is paid.
struct BatchModel {
    struct Record {
        var serialNo, payeeAccount, payeeName, amount, remark: String
        var succeeded, failed, pending: Bool
        var reason: String
    }

    var batchNo: String
    var batchId: String
    var token: String
    var records: [Record]
    var count: Int
    var batchFee: String
    var showsResults: Bool
    var error: ErrorModel?
    var state: String
    var succeeded: Int
    var failed: Int

    init(_ batch: Batch, showsResults: Bool, error: MAPIFailure? = nil) {
        batchNo = batch.batchNo
        batchId = batch.id
        token = batch.token
        records = batch.details.map { record in
            let d = record.detail
            return Record(serialNo: d.serialNo, payeeAccount: d.payeeAccount, payeeName: d.payeeName, amount: d.amount.description, remark: d.remark,
                          succeeded: record.status == .success, failed: record.status == .failure, pending: record.status == .pending,
                          reason: record.reason ?? "")
        }
        count = batch.details.count
        batchFee = batch.batchFee.description
        self.showsResults = showsResults
        self.error = error.map(ErrorModel.init)
        state = batch.status == .completed ? "复核成功" : "处理中"
        succeeded = batch.details.filter { $0.status == .success }.count
        failed = batch.details.filter { $0.status == .failure }.count
    }
}

/// The cashier (收银台): the trade, and the pay form while it can be paid.
struct CashierModel {
    struct TradeSummary {
        var subject, seller, outTradeNo, amount: String
    }

    var tradeNo: String
    var trade: TradeSummary?
    var error: String?
    /// This buyer has just paid: only the payer's own request sees 支付成功.
    var succeeded = false
    /// The trade was paid before (by whoever): anyone else sees only that (ACQ.TRADE_HAS_SUCCESS's wording).
    var paid = false
    var closed = false
    var payable = false
    var prefill = ""
    /// wap.pay's quit_url, shown as a link back to the merchant while the trade can be paid.
    var quitURL: String?
}

/// page.pay's order QR code alone, for the merchant's iframe (qr_pay_mode 0/1/3/4).
struct EmbeddedQRModel {
    var mode: String
    var tradeNo: String
    /// SVG markup drawn by ZhifuQR; empty once the trade can no longer be paid.
    var svg: String
    var caption: Bool
    var amount: String
}

struct BuyerLoginModel {
    var error: String?
}

/// The buyer's page: a fresh payment code (付款码) and the scanner (扫一扫).
struct BuyerModel {
    var logonId: String
    var balance: String
    var code: String
    var codeSeconds: Int64
    /// SVG markup drawn by ZhifuQR.
    var codeImage: String
    var error: String?
}

/// A refund batch (seed 001 图2-2, 图2-3): a row per trade refund (交易退款) and per returned fee
/// (返还服务费), with the outcomes once processed.
struct RefundBatchModel {
    struct Row {
        var tradeNo, payee, amount, kind, reason: String
        var result: String
        var succeeded: Bool
    }

    var batchNo: String
    var batchId: String
    var token: String
    var rows: [Row]
    var count: Int
    var refundTotal: String
    var feeTotal: String
    var showsResults: Bool
    var error: ErrorModel?
    var state: String
    var succeeded: Int

    /// `payees`: the buyer's logon id of each record's trade, by trade number.
    init(_ batch: RefundBatch, payees: [String: String], showsResults: Bool, error: MAPIFailure? = nil) {
        batchNo = batch.batchNo
        batchId = batch.id
        token = batch.token
        rows = batch.records.flatMap { record in
            var rows = [Row(tradeNo: record.tradeNo, payee: payees[record.tradeNo] ?? "", amount: record.tradeNoAmount.description, kind: "交易退款",
                            reason: record.reason, result: record.result ?? "处理中", succeeded: record.result == RefundBatchRecord.success)]
            if let fee = record.feeRefund {
                rows.append(Row(tradeNo: record.tradeNo, payee: fee.account, amount: fee.amount.description, kind: "返还服务费", reason: "退收费",
                                result: record.feeResult ?? "处理中", succeeded: record.feeResult == RefundBatchRecord.success))
            }
            return rows
        }
        count = rows.count
        refundTotal = batch.refundTotal.description
        feeTotal = batch.feeTotal.description
        self.showsResults = showsResults
        self.error = error.map(ErrorModel.init)
        state = batch.status == .completed ? "退款申请成功" : "处理中"
        succeeded = batch.successCount
    }
}
