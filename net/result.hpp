// Errors as values for net/: a small error struct with a category and a
// readable message, and result<T> = either a T or an error (std::expected is
// not in g++ 12's C++20).
//
//   auto r = http_server::start(ioc, opts, handler);
//   if (!r) log::error("metrics", r.error().message);
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace spectacles::net {

/// What kind of failure it was; callers decide on retries by this, never by
/// parsing the message.
enum class errc {
  invalid_argument, // bad URL, bad option, unreadable file
  dns,              // host name did not resolve
  connect,          // TCP connect refused / unreachable
  tls,              // handshake failed, certificate rejected, bad TLS setup
  timeout,          // connect, handshake or request took too long
  protocol,         // malformed HTTP / WebSocket data from the peer
  closed,           // the peer closed the connection
  io,               // any other socket error
  corrupt,          // compressed data that does not decompress
  too_large,        // message or body above the configured maximum
  cancelled,        // stopped by our own close()/stop()
};

std::string_view to_string(errc code);

struct error {
  errc code = errc::io;
  std::string message;

  /// "tls: certificate verify failed (host discord.com)"
  std::string what() const {
    return std::string(to_string(code)) + ": " + message;
  }
};

/// Either a value or an error.
template <class T>
class result {
public:
  result(T value) : data_(std::move(value)) {}

  result(struct error err) : data_(std::move(err)) {}

  explicit operator bool() const {
    return data_.index() == 0;
  }

  T& value() {
    return std::get<0>(data_);
  }

  const T& value() const {
    return std::get<0>(data_);
  }

  T& operator*() {
    return value();
  }

  T* operator->() {
    return &value();
  }

  const struct error& error() const {
    return std::get<1>(data_);
  }

private:
  std::variant<T, struct error> data_;
};

/// A result without a value: success or an error.
class status {
public:
  status() = default;

  status(struct error err) : err_(std::move(err)), ok_(false) {}

  explicit operator bool() const {
    return ok_;
  }

  const struct error& error() const {
    return err_;
  }

private:
  struct error err_;
  bool ok_ = true;
};

} // namespace spectacles::net
