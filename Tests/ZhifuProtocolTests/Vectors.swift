import Foundation

/// Known-answer vectors shared by the protocol, gateway and SDK tests (JSON under Vectors/).
enum Vectors {
    struct SignString: Decodable {
        var name: String
        var parameters: [[String]]
        var expected: String
    }

    struct Keys: Decodable {
        var rsaPrivatePKCS1, rsaPrivatePKCS8, rsaPrivateBase64, rsaPublic, rsaPublicPKCS1, rsaPublicBase64: String
        var dsaPrivate, dsaPrivateTraditional, dsaPublic, md5Key: String
    }

    struct Signature: Decodable, CustomTestStringConvertible {
        var name, charset, signContent, md5, rsa, rsa2, dsa: String
        var testDescription: String { name }
    }

    struct Signatures: Decodable {
        var keys: Keys
        var signatures: [Signature]
    }

    static func load<T: Decodable>(_ name: String, as type: T.Type) -> T {
        let url = Bundle.module.url(forResource: "Vectors/\(name)", withExtension: "json")!
        return try! JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    }

    static let signStrings = load("sign_strings", as: [SignString].self)
    static let signatures = load("signatures", as: Signatures.self)
}

import Testing
extension Vectors.SignString: CustomTestStringConvertible {
    var testDescription: String { name }
}
