import Hummingbird
import ZhifuCore
import ZhifuProtocol

/// The pages of `bptb_user_confirm` (seed 002 图2-2): the review of an uploaded file with its
/// failing rows marked, and the outcome with the way back to the merchant.
enum BptbPages {
    static func confirm(_ file: BptbFile, error: MAPIFailure? = nil) -> Response {
        Pages.render("bptb_confirm", BptbFileModel(file, error: error), title: "确认批量付款信息", charset: file.confirmation?.charset ?? .utf8)
    }

    /// The outcome: `returnLink` leads to the merchant's signed return_url.
    static func result(_ file: BptbFile?, fileName: String, resultCode: MAPIError, succeeded: Bool, returnLink: String?, charset: Charset) -> Response {
        var model = file.map { BptbFileModel($0) } ?? BptbFileModel(fileName: fileName)
        model.state = succeeded ? "批量付款复核成功" : "批量付款复核失败"
        model.resultCode = resultCode.rawValue
        model.returnLink = returnLink
        // The confirmed file's page moves on to the merchant by itself, through the one-minute link.
        let refresh = succeeded && returnLink?.hasPrefix("/pages/bptb/return/") == true ? returnLink : nil
        return Pages.render("bptb_result", model, title: model.state, charset: charset, refresh: refresh)
    }
}

struct BptbFileModel {
    struct Row {
        var serialNo, payeeName, accountNo, province, city, bankName, branch, amount: String
        var failure: String?
        var state: String
    }

    var fileId = "", fileName: String, token = "", email = ""
    var rows: [Row] = []
    /// Stored, not computed: templates see stored properties only.
    var hasRows = false, hasInvalid = false
    var validCount = 0, invalidCount = 0
    var validTotal = "0.00"
    var error: ErrorModel?
    var state = "", resultCode = ""
    var returnLink: String?

    init(fileName: String) { self.fileName = fileName }

    init(_ file: BptbFile, error: MAPIFailure? = nil) {
        fileId = file.id; fileName = file.fileName; token = file.confirmation?.token ?? ""; email = file.confirmation?.email ?? ""
        rows = file.rows.map { row in
            Row(serialNo: row.serialNo, payeeName: row.payeeName, accountNo: row.accountNo, province: row.province, city: row.city,
                bankName: row.bankName, branch: row.branch, amount: row.amount?.description ?? row.amountText, failure: row.failure,
                state: Self.state(row.status, reason: row.bounceReason))
        }
        validCount = file.validRows.count
        invalidCount = file.rows.count - validCount
        validTotal = file.validTotal.description
        hasRows = !rows.isEmpty
        hasInvalid = invalidCount > 0
        self.error = error.map(ErrorModel.init)
    }

    static func state(_ status: BptbRow.Status, reason: String?) -> String {
        switch status {
        case .invalid: "未通过"
        case .pending: "校验通过"
        case .submitted: "银行处理中"
        case .paid: "付款成功"
        case .bounced: "退票: " + (reason ?? "")
        }
    }
}
