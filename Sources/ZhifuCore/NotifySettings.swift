import Foundation
import ZhifuProtocol

/// A merchant's notify settings, set by the operator: where its notifications really go, and
/// whether they are held. A developer whose tunnel URL changed, or who wants the outbox to fill
/// while they fix their endpoint, changes this instead of the merchant's code.
public struct MerchantNotifySettings: Sendable, Equatable {
    public var partner: UserId
    /// Every notification of the merchant is posted here instead of its `notify_url`.
    public var redirectURL: String?
    /// Held: nothing is sent and no try is counted until resumed (the notifications stay due).
    public var paused: Bool

    public init(partner: UserId, redirectURL: String? = nil, paused: Bool = false) {
        self.partner = partner; self.redirectURL = redirectURL; self.paused = paused
    }

    /// Where a notification goes, or `nil` while held.
    public func destination(of notification: OutboxNotification) -> String? {
        paused ? nil : redirectURL ?? notification.notifyURL
    }

    /// An http(s) URL of at most 200 characters, or nothing.
    public static func validate(redirectURL: String?) -> String? {
        guard let redirectURL else { return nil }
        guard redirectURL.utf8.count <= 200, redirectURL.hasPrefix("http://") || redirectURL.hasPrefix("https://"),
              URL(string: redirectURL)?.host != nil else { return "redirect_url: an http(s) URL of at most 200 characters" }
        return nil
    }
}

public protocol NotifySettingsRepository: Sendable {
    /// Every merchant's settings that differ from the default.
    func notifySettings() async throws -> [MerchantNotifySettings]
    /// Replaces a merchant's settings; `false` when the merchant does not exist.
    func setNotifySettings(_ settings: MerchantNotifySettings) async throws -> Bool
}
