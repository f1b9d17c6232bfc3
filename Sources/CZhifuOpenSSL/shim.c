#define OPENSSL_SUPPRESS_DEPRECATED 1
#include "zhifu_openssl.h"

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/dsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

static EVP_PKEY *pkey(const zf_key *key) { return (EVP_PKEY *)key; }

static const EVP_MD *md_for(int digest) {
    switch (digest) {
    case ZF_DIGEST_MD5: return EVP_md5();
    case ZF_DIGEST_SHA1: return EVP_sha1();
    case ZF_DIGEST_SHA256: return EVP_sha256();
    default: return NULL;
    }
}

static int supported(EVP_PKEY *key) {
    int id = EVP_PKEY_get_base_id(key);
    return id == EVP_PKEY_RSA || id == EVP_PKEY_DSA;
}

zf_key *zf_key_private_from_der(const uint8_t *der, size_t len) {
    const unsigned char *p = der;
    EVP_PKEY *key = d2i_AutoPrivateKey(NULL, &p, (long)len);
    if (key == NULL || p != der + len || !supported(key)) {
        EVP_PKEY_free(key);
        ERR_clear_error();
        return NULL;
    }
    return (zf_key *)key;
}

zf_key *zf_key_public_from_der(const uint8_t *der, size_t len) {
    const unsigned char *p = der;
    EVP_PKEY *key = d2i_PUBKEY(NULL, &p, (long)len);
    if (key == NULL || p != der + len) {
        EVP_PKEY_free(key);
        p = der;
        key = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)len);
        if (key != NULL && p != der + len) { EVP_PKEY_free(key); key = NULL; }
    }
    if (key == NULL || !supported(key)) {
        EVP_PKEY_free(key);
        ERR_clear_error();
        return NULL;
    }
    return (zf_key *)key;
}

zf_key *zf_key_generate(int type, int bits) {
    EVP_PKEY *key = NULL;
    if (type == ZF_KEY_RSA) {
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL);
        if (ctx && EVP_PKEY_keygen_init(ctx) > 0 && EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, bits) > 0) {
            EVP_PKEY_keygen(ctx, &key);
        }
        EVP_PKEY_CTX_free(ctx);
    } else if (type == ZF_KEY_DSA) {
        EVP_PKEY *params = NULL;
        EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_id(EVP_PKEY_DSA, NULL);
        if (pctx && EVP_PKEY_paramgen_init(pctx) > 0 && EVP_PKEY_CTX_set_dsa_paramgen_bits(pctx, bits) > 0) {
            EVP_PKEY_paramgen(pctx, &params);
        }
        EVP_PKEY_CTX_free(pctx);
        if (params) {
            EVP_PKEY_CTX *kctx = EVP_PKEY_CTX_new(params, NULL);
            if (kctx && EVP_PKEY_keygen_init(kctx) > 0) EVP_PKEY_keygen(kctx, &key);
            EVP_PKEY_CTX_free(kctx);
            EVP_PKEY_free(params);
        }
    }
    ERR_clear_error();
    return (zf_key *)key;
}

void zf_key_free(zf_key *key) { EVP_PKEY_free(pkey(key)); }

int zf_key_type(const zf_key *key) {
    int id = EVP_PKEY_get_base_id(pkey(key));
    if (id == EVP_PKEY_RSA) return ZF_KEY_RSA;
    if (id == EVP_PKEY_DSA) return ZF_KEY_DSA;
    return 0;
}

int zf_key_bits(const zf_key *key) { return EVP_PKEY_get_bits(pkey(key)); }
int zf_key_signature_size(const zf_key *key) { return EVP_PKEY_get_size(pkey(key)); }

int zf_key_private_der(const zf_key *key, uint8_t **out) {
    PKCS8_PRIV_KEY_INFO *info = EVP_PKEY2PKCS8(pkey(key));
    if (info == NULL) { ERR_clear_error(); return -1; }
    *out = NULL;
    int len = i2d_PKCS8_PRIV_KEY_INFO(info, out);
    PKCS8_PRIV_KEY_INFO_free(info);
    ERR_clear_error();
    return len;
}

int zf_key_public_der(const zf_key *key, uint8_t **out) {
    *out = NULL;
    int len = i2d_PUBKEY(pkey(key), out);
    ERR_clear_error();
    return len;
}

void zf_free(void *buffer) { OPENSSL_free(buffer); }

int zf_sign(const zf_key *key, int digest, const uint8_t *msg, size_t len, uint8_t *sig, size_t cap) {
    const EVP_MD *md = md_for(digest);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t siglen = cap;
    int ok = ctx && md && EVP_DigestSignInit(ctx, NULL, md, NULL, pkey(key)) > 0
        && EVP_DigestSign(ctx, sig, &siglen, msg, len) > 0;
    EVP_MD_CTX_free(ctx);
    ERR_clear_error();
    return ok ? (int)siglen : -1;
}

/// The verify context after EVP_DigestVerifyInit, kept per key and digest: OpenSSL 3 fetches the
/// signature algorithm and the digest on every init, which cost a third of an RSA verification.
/// Each verification works on a copy, so one template serves every thread.
struct zf_verifier { EVP_MD_CTX *template; };

zf_verifier *zf_verifier_new(const zf_key *key, int digest) {
    const EVP_MD *md = md_for(digest);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    zf_verifier *verifier = malloc(sizeof(zf_verifier));
    if (!ctx || !md || !verifier || EVP_DigestVerifyInit(ctx, NULL, md, NULL, pkey(key)) <= 0) {
        EVP_MD_CTX_free(ctx);
        free(verifier);
        ERR_clear_error();
        return NULL;
    }
    verifier->template = ctx;
    return verifier;
}

int zf_verifier_verify(const zf_verifier *verifier, const uint8_t *msg, size_t len, const uint8_t *sig, size_t siglen) {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    // FINALISE: the copy is used once, so EVP_DigestVerifyFinal may finish it in place instead of
    // duplicating its key context first (a second copy per verification).
    int ok = ctx && EVP_MD_CTX_copy_ex(ctx, verifier->template) > 0
        && (EVP_MD_CTX_set_flags(ctx, EVP_MD_CTX_FLAG_FINALISE), 1)
        && EVP_DigestVerifyUpdate(ctx, msg, len) > 0 && EVP_DigestVerifyFinal(ctx, sig, siglen) == 1;
    EVP_MD_CTX_free(ctx);
    ERR_clear_error();
    return ok ? 1 : 0;
}

void zf_verifier_free(zf_verifier *verifier) {
    if (verifier == NULL) return;
    EVP_MD_CTX_free(verifier->template);
    free(verifier);
}

int zf_digest(int digest, const uint8_t *msg, size_t len, uint8_t *out) {
    const EVP_MD *md = md_for(digest);
    unsigned int outlen = 0;
    if (md == NULL || EVP_Digest(msg, len, out, &outlen, md, NULL) != 1) { ERR_clear_error(); return -1; }
    return (int)outlen;
}

int zf_pbkdf2_sha256(const uint8_t *password, size_t plen, const uint8_t *salt, size_t slen,
                     int iterations, uint8_t *out, size_t outlen) {
    return PKCS5_PBKDF2_HMAC((const char *)password, (int)plen, salt, (int)slen, iterations, EVP_sha256(),
                             (int)outlen, out);
}

int zf_random(uint8_t *out, size_t len) { return RAND_bytes(out, (int)len); }

long zf_iconv(const char *from, const char *to, const uint8_t *in, size_t inlen, uint8_t *out, size_t cap) {
    iconv_t cd = iconv_open(to, from);
    if (cd == (iconv_t)-1) return -3;
    char *inp = (char *)in;
    char *outp = (char *)out;
    size_t inleft = inlen, outleft = cap;
    long result = 0;
    if (iconv(cd, &inp, &inleft, &outp, &outleft) == (size_t)-1) {
        result = errno == E2BIG ? -2 : -1;
    } else if (iconv(cd, NULL, NULL, &outp, &outleft) == (size_t)-1) {
        result = -1;
    } else {
        result = (long)(cap - outleft);
    }
    iconv_close(cd);
    return result;
}
