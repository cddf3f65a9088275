#ifndef TOLLGATE_CSHIMS_EPOLL_H
#define TOLLGATE_CSHIMS_EPOLL_H

#include <stdint.h>

/// epoll(7) for Swift, whose Glibc module does not export it. `struct epoll_event` is packed on x86-64, so events
/// come back in this plain struct instead. See https://man7.org/linux/man-pages/man7/epoll.7.html.
typedef struct {
    uint32_t events;
    uint64_t token;
} tg_poll_event;

/// epoll_create1(EPOLL_CLOEXEC): the descriptor, or -1 with errno set.
int tg_epoll_create(void);
/// epoll_ctl(2) with EPOLL_CTL_ADD, _MOD or _DEL (`op` 1, 3, 2 as in <sys/epoll.h>); `token` comes back with events.
int tg_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t token);
/// epoll_wait(2) with `timeout_ms`, filling up to `max` events: their count, or -1 with errno set.
int tg_epoll_wait(int epfd, tg_poll_event *out, int max, int timeout_ms);

/// The EPOLL* flags.
uint32_t tg_epollin(void);
uint32_t tg_epollout(void);
uint32_t tg_epollrdhup(void);
uint32_t tg_epollhup(void);
uint32_t tg_epollerr(void);
int tg_epoll_ctl_add(void);
int tg_epoll_ctl_mod(void);
int tg_epoll_ctl_del(void);

#endif
