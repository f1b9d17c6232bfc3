import Hummingbird
import ZhifuCore
import ZhifuProtocol

/// Error pages and the pages of `batch_trans_notify` (seed 000 图2-2 and 图2-3).
enum HTML {
    /// Seed 000 §5.2 图5-1: the error page of a page service, with the code and its meaning.
    static func errorPage(_ failure: MAPIFailure, charset: Charset = .utf8) -> Response {
        Pages.render("error", ErrorModel(failure), title: "错误", charset: charset)
    }

    /// The error page of a page method (page.pay, wap.pay, app.pay): the gateway's code and sub_code.
    static func openAPIErrorPage(_ error: OpenAPIError) -> Response {
        Pages.render("error", ErrorModel(error), title: "错误")
    }
}

enum BatchPages {
    /// 图2-2 确认批量付款信息: the records, the totals, and the password form bound to the batch by its token.
    static func confirm(_ batch: Batch, error: MAPIFailure? = nil) -> Response {
        Pages.render("batch_confirm", BatchModel(batch, showsResults: false, error: error), title: "确认批量付款信息", charset: batch.charset)
    }

    /// 图2-3 复核成功, or the state of a batch already confirmed (a repeated request shows this).
    static func result(_ batch: Batch) -> Response {
        Pages.render("batch_result", BatchModel(batch, showsResults: true), title: batch.status == .completed ? "批量付款复核成功" : "批量付款处理中",
                     charset: batch.charset)
    }
}

enum RefundPages {
    /// 图2-2: the refunds and the returned fees, their totals, and the password form bound to the batch.
    static func confirm(_ batch: RefundBatch, payees: [String: String], error: MAPIFailure? = nil) -> Response {
        Pages.render("refund_confirm", RefundBatchModel(batch, payees: payees, showsResults: false, error: error), title: "确认退款信息", charset: batch.charset)
    }

    /// 图2-3 退款申请成功, or the state of a batch already confirmed.
    static func result(_ batch: RefundBatch, payees: [String: String]) -> Response {
        Pages.render("refund_result", RefundBatchModel(batch, payees: payees, showsResults: true),
                     title: batch.status == .completed ? "退款申请成功" : "退款处理中", charset: batch.charset)
    }
}
