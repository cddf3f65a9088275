#ifndef TOLLGATE_CSSL_SHIM_H
#define TOLLGATE_CSSL_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#endif
