import ArgumentParser
import Foundation
import ZhifuProtocol

/// Options shared by `zhifu sign` and `zhifu verify`: the tools a merchant reaches for when a
/// signature fails. Both print the exact sign string first, since that is where most failures are.
struct SigningOptions: ParsableArguments {
    @Argument(help: "Parameters as a query string (a=1&b=2, percent-encoded or raw) or one name=value per line; - or nothing reads stdin.")
    var parameters: String?

    @Option(help: "MD5 key, or a PEM/base64 key (private to sign, public to verify), given inline or as a file path.")
    var key: String

    @Option(help: "MD5, RSA, RSA2 or DSA.") var signType = "RSA2"
    @Option(help: "Charset of the sign string bytes: utf-8, gbk, gb2312, gb18030.") var charset = "utf-8"
    @Option(help: "mapi (drop sign and sign_type) or openapi (keep sign_type).") var `protocol` = "mapi"
    @Flag(help: "Keep empty values in the sign string (some clients do).") var keepEmpty = false

    func load() throws -> (Parameters, SignType, Charset, String) {
        guard let signType = SignType(rawValue: signType) else { throw ValidationError("--sign-type must be MD5, RSA, RSA2 or DSA") }
        guard let charset = Charset(name: charset) else { throw ValidationError("--charset: unknown charset \(charset)") }
        var text = parameters ?? "-"
        if text == "-" { text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) }
        let params: Parameters
        if text.contains("\n") {
            var pairs: [(String, String)] = []
            for line in text.split(whereSeparator: \.isNewline) where !line.isEmpty {
                guard let equals = line.firstIndex(of: "=") else { throw ValidationError("not name=value: \(line)") }
                pairs.append((String(line[..<equals]), String(line[line.index(after: equals)...])))
            }
            params = Parameters(pairs)
        } else {
            do {
                var bytes = Array(text.utf8)
                if let question = bytes.firstIndex(of: UInt8(ascii: "?")) { bytes = Array(bytes[(question + 1)...]) }
                params = try FormCoding.decode(query: bytes, body: [], defaultCharset: charset).0
            } catch {
                throw ValidationError("cannot read the parameters: \(error)")
            }
        }
        let keyText = FileManager.default.fileExists(atPath: key) ? try String(contentsOfFile: key, encoding: .utf8) : key
        return (params, signType, charset, keyText)
    }

    func signString(_ params: Parameters) throws -> String {
        let empty: SignContent.EmptyValues = keepEmpty ? .kept : .dropped
        switch self.protocol {
        case "mapi": return SignContent.mapi(params, emptyValues: empty)
        case "openapi": return SignContent.openAPIRequest(params, emptyValues: empty)
        default: throw ValidationError("--protocol must be mapi or openapi")
        }
    }

    func bytes(_ content: String, _ charset: Charset) throws -> [UInt8] {
        guard let bytes = charset.encode(content) else { throw ValidationError("the sign string has characters \(charset.rawValue) cannot encode") }
        return bytes
    }
}

struct Sign: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the sign string and the signature of a parameter set.")
    @OptionGroup var options: SigningOptions

    func run() throws {
        let (params, signType, charset, key) = try options.load()
        let content = try options.signString(params)
        print("sign string: \(content)")
        let signer = try SigningKeys.signer(signType, key: key)
        print("sign: \(try signer.sign(try options.bytes(content, charset)))")
    }
}

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check a signature; prints the sign string and valid or INVALID (exit 1).")
    @OptionGroup var options: SigningOptions
    @Option(help: "The signature; defaults to the parameters' own sign.") var sign: String?

    func run() throws {
        let (params, signType, charset, key) = try options.load()
        guard let signature = sign ?? params["sign"] else { throw ValidationError("no signature: pass --sign or a sign parameter") }
        let content = try options.signString(params)
        print("sign string: \(content)")
        let verifier = try SigningKeys.verifier(signType, key: key)
        if verifier.isValidSignature(signature, for: try options.bytes(content, charset)) {
            print("valid")
        } else {
            print("INVALID")
            throw ExitCode(1)
        }
    }
}

struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Key tools.", subcommands: [Generate.self])

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Generate an RSA or DSA key pair (PKCS#8 private, SubjectPublicKeyInfo public).")
        @Option(help: "rsa or dsa.") var type = "rsa"
        @Option(help: "Key size; 2048 for RSA and 1024 for DSA by default.") var bits: Int?
        @Option(help: "Write <type>_private.pem and <type>_public.pem into this directory instead of printing.") var out: String?

        func run() throws {
            guard let algorithm = KeyAlgorithm(rawValue: type.uppercased()) else { throw ValidationError("--type must be rsa or dsa") }
            if let bits, !(1024...4096).contains(bits) { throw ValidationError("--bits must be from 1024 to 4096") }
            let key = try PrivateKey.generate(algorithm, bits: bits)
            if let out {
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
                let privatePath = "\(out)/\(type.lowercased())_private.pem"
                try Data(key.pemRepresentation.utf8).write(to: URL(fileURLWithPath: privatePath))
                try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: privatePath)
                try Data(key.publicKey.pemRepresentation.utf8).write(to: URL(fileURLWithPath: "\(out)/\(type.lowercased())_public.pem"))
                print("wrote \(privatePath) and \(out)/\(type.lowercased())_public.pem")
            } else {
                print(key.pemRepresentation + key.publicKey.pemRepresentation)
                print("public key, base64 (paste into the merchant's key settings):\n\(key.publicKey.base64Representation)")
            }
        }
    }
}
