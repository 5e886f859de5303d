#ifndef PHYSIO_CMICROHTTPD_SHIM_H
#define PHYSIO_CMICROHTTPD_SHIM_H
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <microhttpd.h>

/* MHD_start_daemon is variadic; Swift cannot call it. Options go in as an
   MHD_OPTION_ARRAY so this one wrapper covers every configuration. */
static inline struct MHD_Daemon *
physio_mhd_start(unsigned int flags, uint16_t port,
                 MHD_AcceptPolicyCallback accept_policy, void *accept_policy_cls,
                 MHD_AccessHandlerCallback handler, void *handler_cls,
                 struct MHD_OptionItem *options) {
    return MHD_start_daemon(flags, port, accept_policy, accept_policy_cls, handler, handler_cls,
                            MHD_OPTION_ARRAY, options, MHD_OPTION_END);
}

/* MHD_get_daemon_info is also variadic in practice (a union result). */
static inline uint16_t physio_mhd_bound_port(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}

static inline unsigned int physio_mhd_current_connections(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
    return info ? info->num_connections : 0;
}

/* The socket of a connection, for the request-deadline sweeper. */
static inline int physio_mhd_connection_fd(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info ? info->connect_fd : -1;
}

/* The peer address, for logs. */
static inline const struct sockaddr *physio_mhd_client_addr(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return info ? info->client_addr : NULL;
}
/* MHD's error log is printf-style with a va_list; format it here and hand
   the finished line to `cls`, a plain C function supplied from Swift. */
typedef void (*physio_log_sink)(const char *message);
static inline void physio_mhd_logger(void *cls, const char *format, va_list ap) {
    char message[512];
    vsnprintf(message, sizeof message, format, ap);
    ((physio_log_sink)cls)(message);
}
/* Swift and C disagree on va_list's optionality; pass the logger as an address. */
static inline intptr_t physio_mhd_logger_address(void) { return (intptr_t)physio_mhd_logger; }
#endif
