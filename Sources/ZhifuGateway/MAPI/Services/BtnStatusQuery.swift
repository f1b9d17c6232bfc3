import Hummingbird
import ZhifuCore
import ZhifuProtocol

/// `btn_status_query` (named in seed 000 §7.3): the state of a `batch_trans_notify` batch by
/// `batch_no`, as XML, with each record's outcome in the notification's 8-field format.
struct BtnStatusQuery: MAPIService {
    static let name = "btn_status_query"
    static let isPage = false

    func handle(_ request: MAPIRequest, gateway: Gateway) async throws -> Response {
        guard let batchNo = request.parameters.nonEmpty("batch_no"), batchNo.utf8.count <= 32 else { return MAPIXML.failure(.illegalArgument, charset: request.charset) }
        guard let batch = try await gateway.batchTrans.batch(partner: request.merchant.partner, batchNo: batchNo) else {
            return MAPIXML.failure(.queryResultIsNull, charset: request.charset)
        }
        let calendar = gateway.configuration.calendar
        let fields = [("batch_no", batch.batchNo), ("batch_status", batch.status.rawValue), ("batch_num", String(batch.details.count)),
                      ("batch_fee", batch.batchFee.description), ("pay_date", batch.payDate),
                      ("success_details", batch.resultDetails(.success, calendar: calendar, now: batch.createdAt)),
                      ("fail_details", batch.resultDetails(.failure, calendar: calendar, now: batch.createdAt))]
        let response = fields.map { "<\($0.0)>\(MAPIXML.escape($0.1))</\($0.0)>" }.joined()
        return MAPIXML.xml("<alipay><is_success>T</is_success><response><batch>\(response)</batch></response></alipay>", charset: request.charset)
    }
}
