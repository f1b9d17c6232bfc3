import Foundation
import Testing
@testable import ZhifuProtocol

@Suite struct SignContentTests {
    @Test(arguments: Vectors.signStrings)
    func seedParameterArraysGiveTheSeedsSignString(vector: Vectors.SignString) {
        let params = Parameters(vector.parameters.map { ($0[0], $0[1]) })
        #expect(SignContent.mapi(params) == vector.expected)
    }

    @Test func signAndSignTypeAndEmptyValuesAreLeftOut() {
        let params = Parameters([("service", "x"), ("sign", "abc"), ("sign_type", "MD5"), ("notify_url", ""), ("partner", "2088")])
        #expect(SignContent.mapi(params) == "partner=2088&service=x")
        #expect(SignContent.mapi(params, emptyValues: .kept) == "notify_url=&partner=2088&service=x")
    }

    @Test func openAPIRequestsSignTheSignType() {
        let params = Parameters([("method", "alipay.trade.pay"), ("sign", "abc"), ("sign_type", "RSA2"), ("app_id", "1")])
        #expect(SignContent.openAPIRequest(params) == "app_id=1&method=alipay.trade.pay&sign_type=RSA2")
        #expect(SignContent.openAPINotification(params) == "app_id=1&method=alipay.trade.pay")
    }

    @Test func valuesAreRawNotURLEncoded() {
        let params = Parameters([("email", "test@msn.com"), ("notify_url", "http://a.b/c?d=1&e=2")])
        #expect(SignContent.mapi(params) == "email=test@msn.com&notify_url=http://a.b/c?d=1&e=2")
    }
}

@Suite struct SignerTests {
    static let keys = Vectors.signatures.keys

    func bytes(_ vector: Vectors.Signature) throws -> [UInt8] {
        try #require(Charset(name: vector.charset)!.encode(vector.signContent))
    }

    @Test(arguments: Vectors.signatures.signatures)
    func md5MatchesTheKnownAnswer(vector: Vectors.Signature) throws {
        let signer = MD5Signer(key: Self.keys.md5Key)
        #expect(signer.sign(try bytes(vector)) == vector.md5)
        #expect(signer.isValidSignature(vector.md5.uppercased(), for: try bytes(vector)), "upper-case hex is accepted")
    }

    @Test func md5RejectsWrongLengthAndWrongKey() throws {
        let vector = Vectors.signatures.signatures[0]
        let signer = MD5Signer(key: Self.keys.md5Key)
        #expect(!signer.isValidSignature(String(vector.md5.dropLast()), for: try bytes(vector)))
        #expect(!signer.isValidSignature(vector.md5 + "0", for: try bytes(vector)))
        #expect(!signer.isValidSignature("", for: try bytes(vector)))
        #expect(!MD5Signer(key: "x" + Self.keys.md5Key.dropFirst()).isValidSignature(vector.md5, for: try bytes(vector)))
    }

    @Test(arguments: Vectors.signatures.signatures)
    func rsaSignaturesMatchOpenSSLExactly(vector: Vectors.Signature) throws {
        // PKCS#1 v1.5 is deterministic: the same key and bytes give openssl's exact signature.
        for keyText in [Self.keys.rsaPrivatePKCS1, Self.keys.rsaPrivatePKCS8, Self.keys.rsaPrivateBase64] {
            let key = try PrivateKey(text: keyText)
            #expect(try RSASigner(key: key, signType: .rsa).sign(try bytes(vector)) == vector.rsa)
            #expect(try RSASigner(key: key, signType: .rsa2).sign(try bytes(vector)) == vector.rsa2)
        }
    }

    @Test(arguments: Vectors.signatures.signatures)
    func openSSLSignaturesVerifyWithEveryPublicKeyForm(vector: Vectors.Signature) throws {
        for keyText in [Self.keys.rsaPublic, Self.keys.rsaPublicPKCS1, Self.keys.rsaPublicBase64] {
            let key = try PublicKey(text: keyText)
            #expect(try RSAVerifier(key: key, signType: .rsa).isValidSignature(vector.rsa, for: try bytes(vector)))
            #expect(try RSAVerifier(key: key, signType: .rsa2).isValidSignature(vector.rsa2, for: try bytes(vector)))
            #expect(try !RSAVerifier(key: key, signType: .rsa2).isValidSignature(vector.rsa, for: try bytes(vector)), "RSA is not RSA2")
        }
        #expect(try DSAVerifier(key: PublicKey(text: Self.keys.dsaPublic)).isValidSignature(vector.dsa, for: try bytes(vector)))
    }

    /// A verifier keeps one initialised OpenSSL context per key and digest and verifies on copies
    /// of it: many checks at once, right and wrong ones mixed, each get their own answer.
    @Test func oneKeysVerifierAnswersManyChecksAtOnce() async throws {
        let vectors = Vectors.signatures.signatures
        let key = try PublicKey(text: Self.keys.rsaPublic)
        let rsa2 = try RSAVerifier(key: key, signType: .rsa2), rsa = try RSAVerifier(key: key, signType: .rsa)
        let dsa = try DSAVerifier(key: PublicKey(text: Self.keys.dsaPublic))
        let contents = try vectors.map { try bytes($0) }
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<16 {
                for (index, vector) in vectors.enumerated() {
                    let content = contents[index], other = vectors[(index + 1) % vectors.count]
                    group.addTask {
                        let right = rsa2.isValidSignature(vector.rsa2, for: content) && rsa.isValidSignature(vector.rsa, for: content)
                            && dsa.isValidSignature(vector.dsa, for: content)
                        let wrong = rsa2.isValidSignature(vector.rsa, for: content) || rsa.isValidSignature(vector.rsa2, for: content)
                            || (other.rsa2 != vector.rsa2 && rsa2.isValidSignature(other.rsa2, for: content))
                        return right && !wrong
                    }
                }
            }
            for try await answer in group { #expect(answer) }
        }
    }

    @Test func dsaSignaturesVerifyBothWays() throws {
        let content = Array("_input_charset=utf-8&partner=2088002464631181&service=batch_trans_notify".utf8)
        for keyText in [Self.keys.dsaPrivate, Self.keys.dsaPrivateTraditional] {
            let signature = try DSASigner(key: PrivateKey(text: keyText)).sign(content)
            let verifier = try DSAVerifier(key: PublicKey(text: Self.keys.dsaPublic))
            #expect(verifier.isValidSignature(signature, for: content))
            #expect(!verifier.isValidSignature(signature, for: content + [0x20]))
            #expect(try OpenSSLCommand.verify(signature: signature, content: content, publicKey: Self.keys.dsaPublic, digest: "sha1"))
        }
    }

    @Test func zhifuSignaturesVerifyWithTheOpenSSLCommand() throws {
        let content = Array("a=1&b=毛毛&c=http://x.y/z".utf8)
        let key = try PrivateKey(text: Self.keys.rsaPrivatePKCS8)
        #expect(try OpenSSLCommand.verify(signature: RSASigner(key: key, signType: .rsa2).sign(content), content: content,
                                          publicKey: Self.keys.rsaPublic, digest: "sha256"))
        #expect(try OpenSSLCommand.verify(signature: RSASigner(key: key, signType: .rsa).sign(content), content: content,
                                          publicKey: Self.keys.rsaPublic, digest: "sha1"))
        #expect(try !OpenSSLCommand.verify(signature: RSASigner(key: key, signType: .rsa).sign(content), content: content,
                                           publicKey: Self.keys.rsaPublic, digest: "sha256"))
    }

    @Test func tamperedOrMalformedSignaturesAreInvalid() throws {
        let vector = Vectors.signatures.signatures[1]
        let verifier = try RSAVerifier(key: PublicKey(text: Self.keys.rsaPublic), signType: .rsa2)
        let content = try bytes(vector)
        var tampered = Array(vector.rsa2)
        tampered[10] = tampered[10] == "A" ? "B" : "A"
        #expect(!verifier.isValidSignature(String(tampered), for: content))
        #expect(!verifier.isValidSignature("not base64!", for: content))
        #expect(!verifier.isValidSignature("", for: content))
        #expect(!verifier.isValidSignature(String(vector.rsa2.prefix(40)), for: content))
        #expect(!verifier.isValidSignature(vector.rsa2, for: content.dropLast() + [0x41]))
    }

    @Test func malformedKeysAreRefused() {
        #expect(throws: KeyError.malformed) { try PrivateKey(text: "") }
        #expect(throws: KeyError.malformed) { try PrivateKey(text: "not a key at all") }
        #expect(throws: KeyError.malformed) { try PublicKey(text: String(Self.keys.rsaPublicBase64.dropLast(20))) }
        #expect(throws: KeyError.malformed) { try PublicKey(text: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----") }
        #expect(throws: KeyError.unsupportedFormat("CERTIFICATE")) { try PublicKey(text: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----") }
        #expect(throws: KeyError.malformed) { try PrivateKey(text: Self.keys.rsaPublic) }
    }

    @Test func keysOfTheWrongAlgorithmAreRefused() throws {
        #expect(throws: KeyError.wrongAlgorithm) { try RSAVerifier(key: PublicKey(text: Self.keys.dsaPublic)) }
        #expect(throws: KeyError.wrongAlgorithm) { try DSASigner(key: PrivateKey(text: Self.keys.rsaPrivatePKCS8)) }
        #expect(throws: KeyError.wrongAlgorithm) { try RSASigner(key: PrivateKey(text: Self.keys.rsaPrivatePKCS8), signType: .md5) }
    }

    @Test func generatedKeysExportAndReloadAsPEMAndBase64() throws {
        for algorithm in [KeyAlgorithm.rsa, .dsa] {
            let key = try PrivateKey.generate(algorithm)
            #expect(key.algorithm == algorithm)
            let reloaded = try PrivateKey(text: key.pemRepresentation)
            #expect(reloaded.derRepresentation == key.derRepresentation)
            let publicKey = try PublicKey(text: key.publicKey.base64Representation)
            #expect(publicKey.derRepresentation == key.publicKey.derRepresentation)
            let signer = try SigningKeys.signer(algorithm == .rsa ? .rsa2 : .dsa, key: key.pemRepresentation)
            let verifier = try SigningKeys.verifier(signer.signType, key: key.publicKey.pemRepresentation)
            #expect(verifier.isValidSignature(try signer.sign([1, 2, 3]), for: [1, 2, 3]))
        }
    }

    @Test func constantTimeComparison() {
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
        #expect(ConstantTime.equals([], []))
    }
}

/// Cross-checks against the `openssl` command line tool.
enum OpenSSLCommand {
    static func verify(signature: String, content: [UInt8], publicKey: String, digest: String) throws -> Bool {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zhifu-openssl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyURL = directory.appendingPathComponent("key.pem"), dataURL = directory.appendingPathComponent("data")
        let sigURL = directory.appendingPathComponent("sig")
        try Data(publicKey.utf8).write(to: keyURL)
        try Data(content).write(to: dataURL)
        try Data(Base64.decode(signature)!).write(to: sigURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl", "dgst", "-\(digest)", "-verify", keyURL.path, "-signature", sigURL.path, dataURL.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
