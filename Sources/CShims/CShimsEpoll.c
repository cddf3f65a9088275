#include "CShimsEpoll.h"
#include <sys/epoll.h>

int tg_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int tg_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t token) {
    struct epoll_event event = { .events = events, .data = { .u64 = token } };
    return epoll_ctl(epfd, op, fd, &event);
}

int tg_epoll_wait(int epfd, tg_poll_event *out, int max, int timeout_ms) {
    struct epoll_event events[128];
    if (max > 128) max = 128;
    int n = epoll_wait(epfd, events, max, timeout_ms);
    for (int i = 0; i < n; i++) {
        out[i].events = events[i].events;
        out[i].token = events[i].data.u64;
    }
    return n;
}

uint32_t tg_epollin(void) { return EPOLLIN; }
uint32_t tg_epollout(void) { return EPOLLOUT; }
uint32_t tg_epollrdhup(void) { return EPOLLRDHUP; }
uint32_t tg_epollhup(void) { return EPOLLHUP; }
uint32_t tg_epollerr(void) { return EPOLLERR; }
int tg_epoll_ctl_add(void) { return EPOLL_CTL_ADD; }
int tg_epoll_ctl_mod(void) { return EPOLL_CTL_MOD; }
int tg_epoll_ctl_del(void) { return EPOLL_CTL_DEL; }
