// The low-level SHA256_* functions are deprecated in OpenSSL 3.0 in favour of EVP, but remain supported and are
// the direct implementation; see the header for why they are used here.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/sha.h>
#include <string.h>
#include "CShimsCrypto.h"

void tg_sha256(const void *data, size_t length, unsigned char out[32]) {
    SHA256_CTX ctx;
    SHA256_Init(&ctx);
    SHA256_Update(&ctx, data, length);
    SHA256_Final(out, &ctx);
}

// RFC 2104: H((K ^ opad) || H((K ^ ipad) || text)), block size 64.
void tg_hmac_sha256(const void *key, size_t key_length, const void *data, size_t length, unsigned char out[32]) {
    unsigned char block[64];
    unsigned char inner[32];
    memset(block, 0, sizeof block);
    if (key_length > sizeof block) {
        tg_sha256(key, key_length, block);
    } else if (key_length > 0) {
        memcpy(block, key, key_length);
    }
    unsigned char pad[64];
    SHA256_CTX ctx;
    for (int i = 0; i < 64; i++) pad[i] = block[i] ^ 0x36;
    SHA256_Init(&ctx);
    SHA256_Update(&ctx, pad, sizeof pad);
    SHA256_Update(&ctx, data, length);
    SHA256_Final(inner, &ctx);
    for (int i = 0; i < 64; i++) pad[i] = block[i] ^ 0x5c;
    SHA256_Init(&ctx);
    SHA256_Update(&ctx, pad, sizeof pad);
    SHA256_Update(&ctx, inner, sizeof inner);
    SHA256_Final(out, &ctx);
}
