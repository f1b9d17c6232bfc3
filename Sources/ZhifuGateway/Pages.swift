import Hummingbird
import ZhifuCore
import ZhifuProtocol

/// Server-rendered pages. Every value that came from a request or the store goes through
/// ``HTML/escape(_:)``; nothing else is interpolated into markup.
enum HTML {
    static func escape(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&#39;"
            default: output.append(character)
            }
        }
        return output
    }

    /// The page frame: header, title, body, footer, in the look of seed 000's figures.
    static func page(title: String, body: String, status: HTTPResponse.Status = .ok) -> Response {
        let html = """
            <!DOCTYPE html>
            <html lang="zh-CN"><head><meta charset="utf-8"><title>\(escape(title)) - 支付宝</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <style>
            body{font-family:"WenQuanYi Zen Hei","Microsoft YaHei",sans-serif;margin:0;color:#333;background:#f5f5f5}
            header{background:#1677ff;color:#fff;padding:12px 24px;font-size:20px}
            main{max-width:880px;margin:24px auto;background:#fff;padding:24px;border:1px solid #ddd}
            table{border-collapse:collapse;width:100%}th,td{border:1px solid #ddd;padding:6px 8px;text-align:left}
            th{background:#fafafa}.amount{text-align:right}.error{color:#c00}.ok{color:#080}
            label{display:block;margin:12px 0 4px}input{padding:6px;width:240px}button{margin-top:16px;padding:8px 24px}
            footer{text-align:center;color:#999;font-size:12px;margin:24px}
            </style></head>
            <body><header>支付宝 · Zhifu</header><main><h1>\(escape(title))</h1>
            \(body)
            </main><footer>Zhifu — Alipay-compatible gateway</footer></body></html>
            """
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// Seed 000 §5.2 图5-1: the error page of a page service, with the code and its meaning.
    static func errorPage(_ failure: MAPIFailure) -> Response {
        page(title: "错误", body: """
            <p class="error" id="error-code">\(escape(failure.code.rawValue))</p>
            <p id="error-meaning">\(escape(failure.code.meaning))</p>
            \(failure.message.isEmpty ? "" : "<p id=\"error-detail\">\(escape(failure.message))</p>")
            """)
    }
}

extension HTML {
    /// The error page of a page method (page.pay, wap.pay, app.pay): the gateway's code and sub_code.
    static func openAPIErrorPage(_ error: OpenAPIError) -> Response {
        page(title: "错误", body: """
            <p class="error" id="error-code">\(escape(error.subCode ?? error.code))</p>
            <p id="error-meaning">\(escape(error.subMsg ?? error.msg))</p>
            <p id="error-detail">\(escape(error.code)) \(escape(error.msg))</p>
            """)
    }
}

/// The pages of `batch_trans_notify` (seed 000 图2-2 and 图2-3).
enum BatchPages {
    static func records(_ batch: Batch, results: Bool) -> String {
        var rows = ""
        for record in batch.details {
            let d = record.detail
            rows += "<tr><td>\(HTML.escape(d.serialNo))</td><td>\(HTML.escape(d.payeeAccount))</td><td>\(HTML.escape(d.payeeName))</td>"
            rows += "<td class=\"amount\">\(d.amount)</td><td>\(HTML.escape(d.remark))</td>"
            if results {
                let outcome = record.status == .success ? "<span class=\"ok\">成功</span>"
                    : record.status == .failure ? "<span class=\"error\">失败 \(HTML.escape(record.reason ?? ""))</span>" : "处理中"
                rows += "<td>\(outcome)</td>"
            }
            rows += "</tr>\n"
        }
        return """
            <table id="records"><thead><tr><th>商户流水号</th><th>收款人账户</th><th>收款人姓名</th><th>付款金额(元)</th><th>付款理由</th>\(results ? "<th>结果</th>" : "")</tr></thead>
            <tbody>
            \(rows)</tbody></table>
            <p id="total">总计: \(batch.details.count) 笔, 付款: \(batch.batchFee) 元</p>
            """
    }

    /// 图2-2 确认批量付款信息: the records, the totals, and the password form bound to the batch by its token.
    static func confirm(_ batch: Batch, error: MAPIFailure? = nil) -> Response {
        let message = error.map { "<p class=\"error\" id=\"error-code\">\(HTML.escape($0.code.rawValue))</p><p id=\"error-meaning\">\(HTML.escape($0.code.meaning)) \(HTML.escape($0.message))</p>" } ?? ""
        return HTML.page(title: "确认批量付款信息", body: """
            <p>批次号: <span id="batch-no">\(HTML.escape(batch.batchNo))</span></p>
            \(records(batch, results: false))
            \(message)
            <form method="post" action="/pages/batch_trans/confirm" id="confirm-form">
            <input type="hidden" name="batch_id" value="\(HTML.escape(batch.id))">
            <input type="hidden" name="token" value="\(HTML.escape(batch.token))">
            <p>输入Email地址, 确认付款</p>
            <label for="account">账户名:</label><input id="account" name="account" autocomplete="username">
            <label for="password">支付密码:</label><input id="password" name="password" type="password" autocomplete="off">
            <div><button type="submit" id="submit">确认付款</button></div>
            </form>
            """)
    }

    /// 图2-3 复核成功, or the state of a batch already confirmed (a repeated request shows this).
    static func result(_ batch: Batch) -> Response {
        let title = batch.status == .completed ? "批量付款复核成功" : "批量付款处理中"
        let succeeded = batch.details.filter { $0.status == .success }.count
        let failed = batch.details.filter { $0.status == .failure }.count
        return HTML.page(title: title, body: """
            <p class="ok" id="result">\(batch.status == .completed ? "复核成功" : "处理中")</p>
            <p>批次号: <span id="batch-no">\(HTML.escape(batch.batchNo))</span> 成功 <span id="success-count">\(succeeded)</span> 笔, 失败 <span id="fail-count">\(failed)</span> 笔</p>
            \(records(batch, results: true))
            """)
    }
}
