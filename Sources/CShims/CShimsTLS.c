#include "CShimsTLS.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/bn.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

void tg_tls_take_error(char *error, size_t capacity) {
    if (capacity == 0) return;
    // The earliest error is the cause; later ones are the layers that passed it on.
    unsigned long code = ERR_get_error();
    if (code == 0) {
        snprintf(error, capacity, "unknown TLS error");
    } else {
        const char *reason = ERR_reason_error_string(code);
        if (reason) snprintf(error, capacity, "%s", reason);
        else ERR_error_string_n(code, error, capacity);
    }
    ERR_clear_error();
}

/// ALPN (RFC 7301): the server speaks HTTP/1.1 only. A client offering no protocol in common gets none chosen
/// (OpenSSL then carries on without ALPN) rather than a failed handshake, as nginx does.
static int select_http11(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                         const unsigned char *in, unsigned int inlen, void *arg) {
    (void)ssl; (void)arg;
    static const unsigned char http11[] = "\x08http/1.1";
    unsigned char *selected = NULL;
    if (SSL_select_next_proto(&selected, outlen, http11, sizeof(http11) - 1, in, inlen) == OPENSSL_NPN_NEGOTIATED) {
        *out = selected;
        return SSL_TLSEXT_ERR_OK;
    }
    return SSL_TLSEXT_ERR_NOACK;
}

static SSL_CTX *common_context(const SSL_METHOD *method) {
    SSL_CTX *context = SSL_CTX_new(method);
    if (!context) return NULL;
    SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
    SSL_CTX_set_options(context, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
    SSL_CTX_set_mode(context, SSL_MODE_RELEASE_BUFFERS);
    return context;
}

SSL_CTX *tg_tls_server_context(const char *certificate_path, const char *key_path, char *error, size_t capacity) {
    ERR_clear_error();
    SSL_CTX *context = common_context(TLS_server_method());
    if (!context) { tg_tls_take_error(error, capacity); return NULL; }
    if (SSL_CTX_use_certificate_chain_file(context, certificate_path) != 1) {
        char reason[200];
        tg_tls_take_error(reason, sizeof reason);
        snprintf(error, capacity, "certificate: %s", reason);
        SSL_CTX_free(context);
        return NULL;
    }
    if (SSL_CTX_use_PrivateKey_file(context, key_path, SSL_FILETYPE_PEM) != 1) {
        char reason[200];
        tg_tls_take_error(reason, sizeof reason);
        if (strstr(reason, "mismatch")) snprintf(error, capacity, "private_key: does not match the certificate (%s)", reason);
        else snprintf(error, capacity, "private_key: %s", reason);
        SSL_CTX_free(context);
        return NULL;
    }
    if (SSL_CTX_check_private_key(context) != 1) {
        ERR_clear_error();
        snprintf(error, capacity, "private_key: does not match the certificate");
        SSL_CTX_free(context);
        return NULL;
    }
    SSL_CTX_set_alpn_select_cb(context, select_http11, NULL);
    // Stateless tickets (the default in OpenSSL 3, said explicitly): resumption needs no server-side cache that
    // would be per loop anyway. The session id context is required for resumption on a server.
    SSL_CTX_clear_options(context, SSL_OP_NO_TICKET);
    static const unsigned char id_context[] = "tollgate";
    SSL_CTX_set_session_id_context(context, id_context, sizeof(id_context) - 1);
    return context;
}

int tg_tls_version_12(void) { return TLS1_2_VERSION; }
int tg_tls_version_13(void) { return TLS1_3_VERSION; }

SSL_CTX *tg_tls_client_context(const char *ca_path, int max_version, char *error, size_t capacity) {
    ERR_clear_error();
    SSL_CTX *context = common_context(TLS_client_method());
    if (!context) { tg_tls_take_error(error, capacity); return NULL; }
    if (max_version) SSL_CTX_set_max_proto_version(context, max_version);
    if (SSL_CTX_load_verify_locations(context, ca_path, NULL) != 1) {
        tg_tls_take_error(error, capacity);
        SSL_CTX_free(context);
        return NULL;
    }
    SSL_CTX_set_verify(context, SSL_VERIFY_PEER, NULL);
    static const unsigned char http11[] = "\x08http/1.1";
    SSL_CTX_set_alpn_protos(context, http11, sizeof(http11) - 1);
    return context;
}

SSL *tg_tls_session(SSL_CTX *context, int is_server, const char *server_name) {
    SSL *session = SSL_new(context);
    if (!session) return NULL;
    BIO *input = BIO_new(BIO_s_mem());
    BIO *output = BIO_new(BIO_s_mem());
    if (!input || !output) {
        BIO_free(input);
        BIO_free(output);
        SSL_free(session);
        return NULL;
    }
    // An empty memory BIO reports "retry" rather than end of file, which is what makes SSL_read say WANT_READ.
    BIO_set_mem_eof_return(input, -1);
    BIO_set_mem_eof_return(output, -1);
    SSL_set_bio(session, input, output);
    if (is_server) {
        SSL_set_accept_state(session);
    } else {
        SSL_set_connect_state(session);
        if (server_name) {
            // An IP address is checked against the certificate's IP SANs and sent no SNI (RFC 6066 §3: SNI
            // names hosts, never addresses); a name is both sent and checked.
            unsigned char address[16];
            if (inet_pton(AF_INET, server_name, address) == 1 || inet_pton(AF_INET6, server_name, address) == 1) {
                X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(session), server_name);
            } else {
                SSL_set_tlsext_host_name(session, server_name);
                SSL_set1_host(session, server_name);
            }
        }
    }
    return session;
}

int tg_tls_feed(SSL *session, const void *bytes, size_t count) {
    BIO *input = SSL_get_rbio(session);
    while (count > 0) {
        int chunk = count > 0x40000000 ? 0x40000000 : (int)count;
        int written = BIO_write(input, bytes, chunk);
        if (written <= 0) return 0;
        bytes = (const char *)bytes + written;
        count -= (size_t)written;
    }
    return 1;
}

size_t tg_tls_output(SSL *session, const char **data) {
    char *pointer = NULL;
    long length = BIO_get_mem_data(SSL_get_wbio(session), &pointer);
    *data = pointer;
    return length > 0 ? (size_t)length : 0;
}

void tg_tls_output_sent(SSL *session) {
    // A read-write memory BIO is emptied by a reset (BIO_FLAGS_NONCLEAR_RESET is not set).
    (void)BIO_reset(SSL_get_wbio(session));
}

int tg_tls_has_buffered_input(SSL *session) {
    return SSL_pending(session) > 0 || BIO_ctrl_pending(SSL_get_rbio(session)) > 0;
}

const char *tg_tls_alpn(SSL *session, unsigned *length) {
    const unsigned char *protocol = NULL;
    SSL_get0_alpn_selected(session, &protocol, length);
    return (const char *)protocol;
}

static int add_extension(X509 *certificate, X509V3_CTX *context, int nid, const char *value) {
    X509_EXTENSION *extension = X509V3_EXT_conf_nid(NULL, context, nid, value);
    if (!extension) return 0;
    int added = X509_add_ext(certificate, extension, -1);
    X509_EXTENSION_free(extension);
    return added;
}

static int pem_of(BIO *bio, char **out, size_t *length) {
    char *data = NULL;
    long size = BIO_get_mem_data(bio, &data);
    if (size <= 0) return 0;
    *out = OPENSSL_malloc((size_t)size);
    if (!*out) return 0;
    memcpy(*out, data, (size_t)size);
    *length = (size_t)size;
    return 1;
}

int tg_tls_self_signed(const char *common_name, const char *const *dns_names, int dns_count,
                       const char *const *ip_addresses, int ip_count, int days,
                       char **certificate_pem, size_t *certificate_length,
                       char **key_pem, size_t *key_length, char *error, size_t capacity) {
    ERR_clear_error();
    int ok = 0;
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *certificate = X509_new();
    BIO *certificate_bio = BIO_new(BIO_s_mem());
    BIO *key_bio = BIO_new(BIO_s_mem());
    *certificate_pem = NULL;
    *key_pem = NULL;
    if (!key || !certificate || !certificate_bio || !key_bio) goto done;

    char names[1024] = "";
    size_t used = 0;
    for (int i = 0; i < dns_count; i++)
        used += (size_t)snprintf(names + used, used < sizeof names ? sizeof names - used : 0, "%sDNS:%s", used ? "," : "", dns_names[i]);
    for (int i = 0; i < ip_count; i++)
        used += (size_t)snprintf(names + used, used < sizeof names ? sizeof names - used : 0, "%sIP:%s", used ? "," : "", ip_addresses[i]);
    if (used >= sizeof names) { snprintf(error, capacity, "too many alternative names"); goto failed; }

    unsigned char serial[16];
    if (RAND_bytes(serial, sizeof serial) != 1) goto done;
    serial[0] &= 0x7F;  // a positive INTEGER (RFC 5280 section 4.1.2.2)
    BIGNUM *number = BN_bin2bn(serial, sizeof serial, NULL);
    if (!number) goto done;
    int serial_set = BN_to_ASN1_INTEGER(number, X509_get_serialNumber(certificate)) != NULL;
    BN_free(number);
    if (!serial_set) goto done;

    X509_NAME *subject = X509_get_subject_name(certificate);
    if (X509_set_version(certificate, 2) != 1
        || !X509_gmtime_adj(X509_getm_notBefore(certificate), -60)
        || !X509_time_adj_ex(X509_getm_notAfter(certificate), days, 0, NULL)
        || X509_set_pubkey(certificate, key) != 1
        || X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8, (const unsigned char *)common_name, -1, -1, 0) != 1
        || X509_set_issuer_name(certificate, subject) != 1) goto done;

    X509V3_CTX v3;
    X509V3_set_ctx(&v3, certificate, certificate, NULL, NULL, 0);
    if (!add_extension(certificate, &v3, NID_subject_key_identifier, "hash")
        || !add_extension(certificate, &v3, NID_authority_key_identifier, "keyid:always")
        || (used > 0 && !add_extension(certificate, &v3, NID_subject_alt_name, names))
        || !add_extension(certificate, &v3, NID_basic_constraints, "critical,CA:FALSE")
        || !add_extension(certificate, &v3, NID_key_usage, "critical,digitalSignature")
        || !add_extension(certificate, &v3, NID_ext_key_usage, "serverAuth")) goto done;
    if (X509_sign(certificate, key, EVP_sha256()) <= 0) goto done;

    if (PEM_write_bio_X509(certificate_bio, certificate) != 1
        || PEM_write_bio_PrivateKey(key_bio, key, NULL, NULL, 0, NULL, NULL) != 1) goto done;
    if (!pem_of(certificate_bio, certificate_pem, certificate_length) || !pem_of(key_bio, key_pem, key_length)) goto done;
    ok = 1;

done:
    if (!ok) tg_tls_take_error(error, capacity);
failed:
    if (!ok) {
        OPENSSL_free(*certificate_pem);
        if (*key_pem) OPENSSL_clear_free(*key_pem, *key_length);
        *certificate_pem = NULL;
        *key_pem = NULL;
    }
    BIO_free(certificate_bio);
    BIO_free(key_bio);
    X509_free(certificate);
    EVP_PKEY_free(key);
    return ok;
}

void tg_tls_free(void *pointer, size_t length) {
    OPENSSL_clear_free(pointer, length);
}
