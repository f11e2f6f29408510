// Listeners that stall a client at a chosen step, for the timeout tests:
//   stall_listener::at_connect()    TCP connects never complete: the accept
//                                   queue is full, so Linux drops the SYNs
//   stall_listener::at_handshake()  TCP completes (the kernel accepts) and
//                                   then nothing is ever read or written, so a
//                                   TLS or HTTP exchange never gets an answer
#pragma once

#include <cstdint>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace spectacles::net::testing {

class stall_listener {
public:
  static stall_listener at_connect() {
    stall_listener l{ 0 };
    // With a backlog of 0 the accept queue holds one connection; fill it,
    // and keep connecting until a connect no longer completes.
    for (int i = 0; i < 16; ++i) {
      int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      l.fillers_.push_back(fd);
      auto addr = l.address();
      if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0)
        continue;
      pollfd p{ fd, POLLOUT, 0 };
      if (::poll(&p, 1, 100) == 0)
        break; // this SYN was dropped: the queue is full
    }
    return l;
  }

  static stall_listener at_handshake() {
    return stall_listener{ 16 };
  }

  stall_listener(stall_listener&& other) noexcept
      : fd_(other.fd_), port_(other.port_), fillers_(std::move(other.fillers_)) {
    other.fd_ = -1;
    other.fillers_.clear();
  }

  ~stall_listener() {
    for (int fd : fillers_)
      ::close(fd);
    if (fd_ >= 0)
      ::close(fd_);
  }

  uint16_t port() const {
    return port_;
  }

private:
  explicit stall_listener(int backlog) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    auto addr = address();
    addr.sin_port = 0;
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    ::listen(fd_, backlog);
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }

  sockaddr_in address() const {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port_);
    return addr;
  }

  int fd_ = -1;
  uint16_t port_ = 0;
  std::vector<int> fillers_;
};

} // namespace spectacles::net::testing
