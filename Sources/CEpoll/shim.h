#ifndef PHYSIO_EPOLL_SHIM_H
#define PHYSIO_EPOLL_SHIM_H
#include <sys/epoll.h>
#include <stdint.h>

/* epoll, accept4 and pipe2 for the MLLP listener: Swift's Glibc module
   leaves them out. accept4 and pipe2 are declared here rather than taken
   from <sys/socket.h> and <unistd.h> with _GNU_SOURCE, which would define
   the system's types differently from the Glibc module. Their flags have
   the same values on every Linux architecture Swift runs on. */
struct sockaddr;
extern int accept4(int fd, struct sockaddr *address, unsigned int *length, int flags);
extern int pipe2(int ends[2], int flags);

#define PHYSIO_NONBLOCK 04000     /* SOCK_NONBLOCK, O_NONBLOCK */
#define PHYSIO_CLOEXEC 02000000   /* SOCK_CLOEXEC, O_CLOEXEC */

static const uint32_t physio_epoll_in = EPOLLIN;
static const uint32_t physio_epoll_out = EPOLLOUT;
static const uint32_t physio_epoll_err = EPOLLERR;
static const uint32_t physio_epoll_hup = EPOLLHUP;
static const uint32_t physio_epoll_rdhup = EPOLLRDHUP;
static const uint32_t physio_epoll_exclusive = EPOLLEXCLUSIVE;

static inline int physio_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

/* Registers, changes or removes a descriptor, its events keyed by itself. */
static inline int physio_epoll_add(int epoll, int fd, uint32_t events) {
    struct epoll_event event = { .events = events, .data = { .fd = fd } };
    return epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event);
}
static inline int physio_epoll_modify(int epoll, int fd, uint32_t events) {
    struct epoll_event event = { .events = events, .data = { .fd = fd } };
    return epoll_ctl(epoll, EPOLL_CTL_MOD, fd, &event);
}
static inline int physio_epoll_remove(int epoll, int fd) { return epoll_ctl(epoll, EPOLL_CTL_DEL, fd, 0); }

/* Waits for up to `capacity` events; their descriptors and flags go to two arrays. */
static inline int physio_epoll_wait(int epoll, int *fds, uint32_t *flags, int capacity, int timeoutMillis) {
    struct epoll_event events[256];
    if (capacity > 256) capacity = 256;
    int count = epoll_wait(epoll, events, capacity, timeoutMillis);
    for (int i = 0; i < count; i++) { fds[i] = events[i].data.fd; flags[i] = events[i].events; }
    return count;
}

static inline int physio_accept_nonblocking(int fd, struct sockaddr *address, unsigned int *length) {
    return accept4(fd, address, length, PHYSIO_NONBLOCK | PHYSIO_CLOEXEC);
}

static inline int physio_pipe_nonblocking(int ends[2]) { return pipe2(ends, PHYSIO_NONBLOCK | PHYSIO_CLOEXEC); }
#endif
