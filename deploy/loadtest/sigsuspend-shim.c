/*
 * LD_PRELOAD shim for profiling Tollgate under Valgrind 3.19 (Debian 12's).
 *
 * libdispatch's main thread parks in sigsuspend(2) with a signal mask that lives in read-only memory. Valgrind
 * 3.19 edits the mask it is given in place (to keep its own signals deliverable) and dies with an internal
 * SIGSEGV ("Valgrind received a signal 11", faulting address inside libdispatch.so). This shim hands the
 * kernel a writable copy of the mask instead; the call means exactly the same
 * (https://man7.org/linux/man-pages/man2/sigsuspend.2.html). Used only by bench.py's callgrind phase.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

int sigsuspend(const sigset_t *mask) {
    sigset_t copy = *mask;
    return (int)syscall(SYS_rt_sigsuspend, &copy, (size_t)(_NSIG / 8));
}
