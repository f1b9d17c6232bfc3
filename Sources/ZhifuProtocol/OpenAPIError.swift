/// An OpenAPI gateway error: `code`/`msg` and `sub_code`/`sub_msg` as in seed 004's table of
/// common error codes (公共错误码). Business failures (40004) carry the method's `ACQ.*` sub_code.
/// `msg` is Alipay's English wire text for the code (seed 004's Chinese column only describes it;
/// its own example is `Business Failed`); `sub_msg` stays Chinese, as Alipay sends it.
public struct OpenAPIError: Error, Sendable, Equatable {
    public var code: String
    public var subCode: String?
    public var subMsg: String?

    public init(code: String, subCode: String? = nil, subMsg: String? = nil) {
        self.code = code; self.subCode = subCode; self.subMsg = subMsg
    }

    /// The `msg` Alipay sends with `code`: clients compare it (`msg == "Success"`).
    public var msg: String { Self.messages[code] ?? "Unknown Error" }

    /// Alipay's wire `msg` per common code (服务不可用, 授权权限不足, 缺少必选参数, 非法的参数,
    /// 业务处理失败, 权限不足).
    public static let messages = ["10000": "Success", "20000": "Service Currently Unavailable",
                                  "20001": "Insufficient Token Permissions", "40001": "Missing Required Arguments",
                                  "40002": "Invalid Arguments", "40004": "Business Failed", "40006": "Insufficient Permissions"]

    /// A business failure (40004 业务处理失败) with the method's sub_code.
    public static func business(_ subCode: String, _ subMsg: String) -> OpenAPIError {
        OpenAPIError(code: "40004", subCode: subCode, subMsg: subMsg)
    }

    /// 10000 接口调用成功.
    public static let successCode = "10000"

    /// 20000 服务不可用: 服务暂不可用（业务系统不可用）
    public static let ispUnknowError = OpenAPIError(code: "20000", subCode: "isp.unknow-error", subMsg: "服务暂不可用（业务系统不可用）")
    /// 20000 服务不可用: 服务暂不可用（网关自身的未知错误）
    public static let aopUnknowError = OpenAPIError(code: "20000", subCode: "aop.unknow-error", subMsg: "服务暂不可用（网关自身的未知错误）")
    /// 20001 授权权限不足: 无效的访问令牌
    public static let aopInvalidAuthToken = OpenAPIError(code: "20001", subCode: "aop.invalid-auth-token", subMsg: "无效的访问令牌")
    /// 20001 授权权限不足: 访问令牌已过期
    public static let aopAuthTokenTimeOut = OpenAPIError(code: "20001", subCode: "aop.auth-token-time-out", subMsg: "访问令牌已过期")
    /// 20001 授权权限不足: 无效的应用授权令牌
    public static let aopInvalidAppAuthToken = OpenAPIError(code: "20001", subCode: "aop.invalid-app-auth-token", subMsg: "无效的应用授权令牌")
    /// 20001 授权权限不足: 商户未授权当前接口
    public static let aopInvalidAppAuthTokenNoApi = OpenAPIError(code: "20001", subCode: "aop.invalid-app-auth-token-no-api", subMsg: "商户未授权当前接口")
    /// 20001 授权权限不足: 应用授权令牌已过期
    public static let aopAppAuthTokenTimeOut = OpenAPIError(code: "20001", subCode: "aop.app-auth-token-time-out", subMsg: "应用授权令牌已过期")
    /// 20001 授权权限不足: 商户未签约任何产品
    public static let aopNoProductRegByPartner = OpenAPIError(code: "20001", subCode: "aop.no-product-reg-by-partner", subMsg: "商户未签约任何产品")
    /// 40001 缺少必选参数: 缺少方法名参数
    public static let isvMissingMethod = OpenAPIError(code: "40001", subCode: "isv.missing-method", subMsg: "缺少方法名参数")
    /// 40001 缺少必选参数: 缺少签名参数
    public static let isvMissingSignature = OpenAPIError(code: "40001", subCode: "isv.missing-signature", subMsg: "缺少签名参数")
    /// 40001 缺少必选参数: 缺少签名类型参数
    public static let isvMissingSignatureType = OpenAPIError(code: "40001", subCode: "isv.missing-signature-type", subMsg: "缺少签名类型参数")
    /// 40001 缺少必选参数: 缺少签名配置
    public static let isvMissingSignatureKey = OpenAPIError(code: "40001", subCode: "isv.missing-signature-key", subMsg: "缺少签名配置")
    /// 40001 缺少必选参数: 缺少appId参数
    public static let isvMissingAppId = OpenAPIError(code: "40001", subCode: "isv.missing-app-id", subMsg: "缺少appId参数")
    /// 40001 缺少必选参数: 缺少时间戳参数
    public static let isvMissingTimestamp = OpenAPIError(code: "40001", subCode: "isv.missing-timestamp", subMsg: "缺少时间戳参数")
    /// 40001 缺少必选参数: 缺少版本参数
    public static let isvMissingVersion = OpenAPIError(code: "40001", subCode: "isv.missing-version", subMsg: "缺少版本参数")
    /// 40001 缺少必选参数: 解密出错, 未指定加密算法
    public static let isvDecryptionErrorMissingEncryptType = OpenAPIError(code: "40001", subCode: "isv.decryption-error-missing-encrypt-type", subMsg: "解密出错, 未指定加密算法")
    /// 40002 非法的参数: 参数无效
    public static let isvInvalidParameter = OpenAPIError(code: "40002", subCode: "isv.invalid-parameter", subMsg: "参数无效")
    /// 40002 非法的参数: 文件上传失败
    public static let isvUploadFail = OpenAPIError(code: "40002", subCode: "isv.upload-fail", subMsg: "文件上传失败")
    /// 40002 非法的参数: 文件扩展名无效
    public static let isvInvalidFileExtension = OpenAPIError(code: "40002", subCode: "isv.invalid-file-extension", subMsg: "文件扩展名无效")
    /// 40002 非法的参数: 文件大小无效
    public static let isvInvalidFileSize = OpenAPIError(code: "40002", subCode: "isv.invalid-file-size", subMsg: "文件大小无效")
    /// 40002 非法的参数: 不存在的方法名
    public static let isvInvalidMethod = OpenAPIError(code: "40002", subCode: "isv.invalid-method", subMsg: "不存在的方法名")
    /// 40002 非法的参数: 无效的数据格式
    public static let isvInvalidFormat = OpenAPIError(code: "40002", subCode: "isv.invalid-format", subMsg: "无效的数据格式")
    /// 40002 非法的参数: 无效的签名类型
    public static let isvInvalidSignatureType = OpenAPIError(code: "40002", subCode: "isv.invalid-signature-type", subMsg: "无效的签名类型")
    /// 40002 非法的参数: 无效签名
    public static let isvInvalidSignature = OpenAPIError(code: "40002", subCode: "isv.invalid-signature", subMsg: "无效签名")
    /// 40002 非法的参数: 无效令牌
    public static let isvInvalidToken = OpenAPIError(code: "40002", subCode: "isv.invalid-token", subMsg: "无效令牌")
    /// 40002 非法的参数: 无效的加密类型
    public static let isvInvalidEncryptType = OpenAPIError(code: "40002", subCode: "isv.invalid-encrypt-type", subMsg: "无效的加密类型")
    /// 40002 非法的参数: 解密异常
    public static let isvInvalidEncrypt = OpenAPIError(code: "40002", subCode: "isv.invalid-encrypt", subMsg: "解密异常")
    /// 40002 非法的参数: 无效的appId参数
    public static let isvInvalidAppId = OpenAPIError(code: "40002", subCode: "isv.invalid-app-id", subMsg: "无效的appId参数")
    /// 40002 非法的参数: 非法的时间戳参数
    public static let isvInvalidTimestamp = OpenAPIError(code: "40002", subCode: "isv.invalid-timestamp", subMsg: "非法的时间戳参数")
    /// 40002 非法的参数: 字符集错误
    public static let isvInvalidCharset = OpenAPIError(code: "40002", subCode: "isv.invalid-charset", subMsg: "字符集错误")
    /// 40002 非法的参数: 摘要错误
    public static let isvInvalidDigest = OpenAPIError(code: "40002", subCode: "isv.invalid-digest", subMsg: "摘要错误")
    /// 40002 非法的参数: 解密出错，不支持的加密算法
    public static let isvDecryptionErrorNotValidEncryptType = OpenAPIError(code: "40002", subCode: "isv.decryption-error-not-valid-encrypt-type", subMsg: "解密出错，不支持的加密算法")
    /// 40002 非法的参数: 解密出错, 未配置加密密钥或加密密钥格式错误
    public static let isvDecryptionErrorNotValidEncryptKey = OpenAPIError(code: "40002", subCode: "isv.decryption-error-not-valid-encrypt-key", subMsg: "解密出错, 未配置加密密钥或加密密钥格式错误")
    /// 40002 非法的参数: 解密出错，未知异常
    public static let isvDecryptionErrorUnknown = OpenAPIError(code: "40002", subCode: "isv.decryption-error-unknown", subMsg: "解密出错，未知异常")
    /// 40002 非法的参数: 验签出错, 未配置对应签名算法的公钥或者证书
    public static let isvMissingSignatureConfig = OpenAPIError(code: "40002", subCode: "isv.missing-signature-config", subMsg: "验签出错, 未配置对应签名算法的公钥或者证书")
    /// 40002 非法的参数: 本接口不支持第三方代理调用
    public static let isvNotSupportAppAuth = OpenAPIError(code: "40002", subCode: "isv.not-support-app-auth", subMsg: "本接口不支持第三方代理调用")
    /// 40002 非法的参数: 可疑的攻击请求
    public static let isvSuspectedAttack = OpenAPIError(code: "40002", subCode: "isv.suspected-attack", subMsg: "可疑的攻击请求")
    /// 40006 权限不足: ISV 权限不足
    public static let isvInsufficientIsvPermissions = OpenAPIError(code: "40006", subCode: "isv.insufficient-isv-permissions", subMsg: "ISV 权限不足")
    /// 40006 权限不足: 用户权限不足
    public static let isvInsufficientUserPermissions = OpenAPIError(code: "40006", subCode: "isv.insufficient-user-permissions", subMsg: "用户权限不足")

    /// Every common error of seed 004, for table-driven tests.
    public static let all: [OpenAPIError] = [ispUnknowError, aopUnknowError, aopInvalidAuthToken, aopAuthTokenTimeOut, aopInvalidAppAuthToken, aopInvalidAppAuthTokenNoApi, aopAppAuthTokenTimeOut, aopNoProductRegByPartner, isvMissingMethod, isvMissingSignature, isvMissingSignatureType, isvMissingSignatureKey, isvMissingAppId, isvMissingTimestamp, isvMissingVersion, isvDecryptionErrorMissingEncryptType, isvInvalidParameter, isvUploadFail, isvInvalidFileExtension, isvInvalidFileSize, isvInvalidMethod, isvInvalidFormat, isvInvalidSignatureType, isvInvalidSignature, isvInvalidToken, isvInvalidEncryptType, isvInvalidEncrypt, isvInvalidAppId, isvInvalidTimestamp, isvInvalidCharset, isvInvalidDigest, isvDecryptionErrorNotValidEncryptType, isvDecryptionErrorNotValidEncryptKey, isvDecryptionErrorUnknown, isvMissingSignatureConfig, isvNotSupportAppAuth, isvSuspectedAttack, isvInsufficientIsvPermissions, isvInsufficientUserPermissions]
}
