import Foundation
import Synchronization

/// Where the gateway gets the time. Every timestamp in Zhifu comes from one of these, so tests and
/// the sandbox can move time forward (a 25-hour retry schedule runs in seconds).
/// Clocks tell whole milliseconds: what the stores keep, so a time read back equals the time written.
public protocol Clock: Sendable {
    var now: Date { get }
}

extension Date {
    /// This time rounded to the millisecond.
    public var wholeMilliseconds: Date { Date(timeIntervalSince1970: (timeIntervalSince1970 * 1000).rounded() / 1000) }

    /// Milliseconds since 1970, as stored.
    public var epochMilliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }

    public init(epochMilliseconds: Int64) { self.init(timeIntervalSince1970: TimeInterval(epochMilliseconds) / 1000) }
}

public struct SystemClock: Clock {
    public init() {}
    public var now: Date { Date().wholeMilliseconds }
}

/// A clock that starts at the current time and moves only when told to.
public final class ManualClock: Clock {
    private let current: Mutex<Date>

    public init(start: Date = Date()) { current = Mutex(start.wholeMilliseconds) }

    public var now: Date { current.withLock { $0 } }

    /// Moves to `date` if that is later (another node of the sandbox moved time on); never back.
    @discardableResult
    public func catchUp(to date: Date) -> Date {
        current.withLock { now in
            now = max(now, date.wholeMilliseconds)
            return now
        }
    }

    /// Moves time forward; refuses to go back, because nothing in a ledger may happen before its cause.
    @discardableResult
    public func advance(seconds: Int64) -> Date {
        current.withLock { date in
            date = date.addingTimeInterval(TimeInterval(max(seconds, 0)))
            return date
        }
    }
}

/// The business calendar: Alipay's day is China Standard Time (UTC+8), and so is every date a
/// merchant's client computes for `pay_date`, `batch_no` prefixes and file dates.
public struct BusinessCalendar: Sendable {
    public let timeZone: TimeZone
    private let calendar: Calendar

    public static let chinaStandardTime = TimeZone(secondsFromGMT: 8 * 3600)!

    public init(timeZone: TimeZone = BusinessCalendar.chinaStandardTime) {
        self.timeZone = timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    /// Accepts `+08:00`, `-05:30`, `UTC`, or an IANA name such as `Asia/Shanghai`.
    public init?(timeZoneName: String) {
        if let offset = Self.parseOffset(timeZoneName), let zone = TimeZone(secondsFromGMT: offset) {
            self.init(timeZone: zone)
        } else if let zone = TimeZone(identifier: timeZoneName) {
            self.init(timeZone: zone)
        } else {
            return nil
        }
    }

    private static func parseOffset(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard bytes.count == 6, bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-"), bytes[3] == UInt8(ascii: ":"),
              let hours = Int(String(decoding: bytes[1...2], as: UTF8.self)),
              let minutes = Int(String(decoding: bytes[4...5], as: UTF8.self)), hours <= 14, minutes < 60
        else { return nil }
        return (bytes[0] == UInt8(ascii: "-") ? -1 : 1) * (hours * 3600 + minutes * 60)
    }

    private func parts(_ date: Date) -> DateComponents {
        calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
    }

    private static func pad(_ value: Int?, _ width: Int) -> String {
        let text = String(value ?? 0)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    /// `yyyyMMdd`, e.g. `pay_date`.
    public func day(_ date: Date) -> String {
        let p = parts(date)
        return Self.pad(p.year, 4) + Self.pad(p.month, 2) + Self.pad(p.day, 2)
    }

    /// `yyyy-MM-dd HH:mm:ss`, e.g. `notify_time`, OpenAPI `timestamp`.
    public func timestamp(_ date: Date) -> String {
        let p = parts(date)
        return "\(Self.pad(p.year, 4))-\(Self.pad(p.month, 2))-\(Self.pad(p.day, 2)) \(Self.pad(p.hour, 2)):\(Self.pad(p.minute, 2)):\(Self.pad(p.second, 2))"
    }

    /// `yyyyMMddHHmmss`, e.g. 完成时间 in `success_details`.
    public func compact(_ date: Date) -> String {
        let p = parts(date)
        return Self.pad(p.year, 4) + Self.pad(p.month, 2) + Self.pad(p.day, 2) + Self.pad(p.hour, 2) + Self.pad(p.minute, 2) + Self.pad(p.second, 2)
    }

    /// Parses `yyyyMMdd HHmmss` (koubei's end_date) in this time zone.
    public func parseCompactTimestamp(_ text: String) -> Date? {
        let c = Array(text)
        guard c.count == 15, c[8] == " " else { return nil }
        return parseTimestamp(String(c[0..<4]) + "-" + String(c[4..<6]) + "-" + String(c[6..<8]) + " " + String(c[9..<11]) + ":"
                              + String(c[11..<13]) + ":" + String(c[13..<15]))
    }

    /// Parses `yyyy-MM-dd HH:mm:ss` in this time zone; `nil` when malformed or not a real date.
    public func parseTimestamp(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 19, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: " "),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":") else { return nil }
        func number(_ range: ClosedRange<Int>) -> Int? {
            let slice = bytes[range]
            guard slice.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
            return Int(String(decoding: slice, as: UTF8.self))
        }
        guard let year = number(0...3), let month = number(5...6), let day = number(8...9),
              let hour = number(11...12), let minute = number(14...15), let second = number(17...18) else { return nil }
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard let date = calendar.date(from: components) else { return nil }
        let back = parts(date)
        guard back.year == year, back.month == month, back.day == day, back.hour == hour, back.minute == minute, back.second == second else {
            return nil
        }
        return date
    }
}
