import Foundation

#if canImport(Glibc)
import Glibc
// `SOCK_STREAM` lives in a libc header that both Glibc and CCurl (through curl.h → sys/socket.h)
// include; Clang gives it to whichever module loads first, so files that import only Glibc may not
// see it. This file imports both and hands the value out.
import CCurl

/// `SOCK_STREAM` as the `Int32` that `socket(2)` takes.
let streamSocketType = Int32(SOCK_STREAM.rawValue)
#endif
