// Works around a CAF 0.17.6 bug that lets any stranger break the cluster.
//
// caf::openssl drains OpenSSL's per-thread error queue only inside
// CAF_LOG_INFO, which Debian's build compiles out. After one failed handshake
// (a process without the cluster certificate knocking on cluster.listen) the
// multiplexer thread's queue keeps that error, the next SSL_read of a healthy
// session sees it through SSL_get_error and CAF drops the healthy link.
// OpenSSL's rule is that the queue must be empty before every TLS I/O call;
// this file interposes SSL_read/SSL_write/SSL_accept/SSL_connect to do
// exactly that, for every caller in the process.
#pragma once

namespace spectacles::nodes {

/// Links the interposers into the executable (call once from a node's main
/// path) and tells whether they are active.
bool openssl_error_queue_guard_active();

} // namespace spectacles::nodes
