import ZhifuCore
import ZhifuProtocol

/// A MAPI service refusing a request: the seed's code, and a sentence for the developer
/// (shown on error pages under the code's meaning).
public struct MAPIFailure: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: MAPIError
    public var message: String

    public init(_ code: MAPIError, _ message: String = "") {
        self.code = code
        self.message = message
    }

    public var description: String { message.isEmpty ? code.rawValue : "\(code.rawValue): \(message)" }
}
