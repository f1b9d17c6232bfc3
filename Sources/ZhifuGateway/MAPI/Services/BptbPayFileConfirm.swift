import Hummingbird
import ZhifuCore
import ZhifuProtocol

/// `bptb_pay_file_confirm` (named by seed 002 §1.1, not documented in the seeds): a signed
/// multipart POST uploading a payout file. The signed fields are `service`, `partner`,
/// `_input_charset`, `file_name` (else the part's file name), and the file's digest: `file_digest`
/// (hex) under `digest_type` MD5 (the default) or SHA256, since the file part itself is not in the
/// signature. Each row is validated; the XML answer says how many passed and failed.
struct BptbPayFileConfirm: MAPIService {
    static let name = BptbService.uploadService
    static let isPage = false

    func handle(_ request: MAPIRequest, gateway: Gateway) async throws -> Response {
        let params = request.parameters, charset = request.charset
        guard let upload = request.upload else { throw MAPIFailure(.illegalArgument, "the file part named file is missing") }
        guard let fileName = params.nonEmpty("file_name") ?? upload.fileName, Self.isFileName(fileName) else {
            throw MAPIFailure(.illegalArgument, "file_name must be 1 to 128 characters without a path")
        }
        guard !upload.bytes.isEmpty, upload.bytes.count <= BptbUpload.maximumBytes else {
            throw MAPIFailure(.illegalFileFormat, "the file must hold 1 byte to 2 MB")
        }
        let digestType = params.nonEmpty("digest_type")?.uppercased() ?? "MD5"
        let digest: [UInt8]
        switch digestType {
        case "MD5": digest = Digest.md5(upload.bytes)
        case "SHA256": digest = Digest.sha256(upload.bytes)
        default: throw MAPIFailure(.illegalDigestType, "digest_type must be MD5 or SHA256")
        }
        guard let sent = params.nonEmpty("file_digest"), ConstantTime.equals(Array(sent.lowercased().utf8), Array(Hex.lowercase(digest).utf8)) else {
            throw MAPIFailure(.illegalDigest, "file_digest is not the \(digestType) of the uploaded file")
        }
        let rows = try BptbFileReader.rows(upload.bytes, fileName: fileName)
        let file: BptbFile
        do {
            file = try await gateway.bptb.upload(partner: request.merchant.partner, fileName: fileName, rows: rows,
                                                 fingerprint: Hex.lowercase(Digest.sha256(upload.bytes)))
        } catch BptbUploadFailure.fileNameTaken(let name) {
            throw MAPIFailure(.illegalArgument, "file_name \(name) was uploaded before with other content")
        } catch BptbUploadFailure.tooManyRows(let count) {
            throw MAPIFailure(.illegalFileFormat, "\(count) rows; at most \(BptbValidation.maximumRows)")
        }
        let valid = file.validRows
        let fields = [("file_name", file.fileName), ("total_count", String(file.rows.count)), ("success_count", String(valid.count)),
                      ("fail_count", String(file.rows.count - valid.count)), ("success_amount", file.validTotal.description)]
        let response = fields.map { "<\($0.0)>\(MAPIXML.escape($0.1))</\($0.0)>" }.joined()
        return MAPIXML.xml("<alipay><is_success>T</is_success><response><file>\(response)</file></response></alipay>", charset: charset)
    }

    /// A plain file name: no directories, no control characters.
    static func isFileName(_ name: String) -> Bool {
        (1...128).contains(name.count) && !name.contains { $0 == "/" || $0 == "\\" || $0.isNewline || $0.asciiValue.map { $0 < 0x20 } == true }
            && name != "." && name != ".."
    }
}
