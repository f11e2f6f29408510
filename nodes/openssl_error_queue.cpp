#include "nodes/openssl_error_queue.hpp"

#include <dlfcn.h>

#include <atomic>

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace {

std::atomic<bool> used{ false };

template <class Fn>
Fn next_symbol(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}

} // namespace

extern "C" {

int SSL_read(SSL* ssl, void* buf, int num) {
  static auto real = next_symbol<int (*)(SSL*, void*, int)>("SSL_read");
  used.store(true, std::memory_order_relaxed);
  ERR_clear_error();
  return real(ssl, buf, num);
}

int SSL_write(SSL* ssl, const void* buf, int num) {
  static auto real = next_symbol<int (*)(SSL*, const void*, int)>("SSL_write");
  used.store(true, std::memory_order_relaxed);
  ERR_clear_error();
  return real(ssl, buf, num);
}

int SSL_accept(SSL* ssl) {
  static auto real = next_symbol<int (*)(SSL*)>("SSL_accept");
  used.store(true, std::memory_order_relaxed);
  ERR_clear_error();
  return real(ssl);
}

int SSL_connect(SSL* ssl) {
  static auto real = next_symbol<int (*)(SSL*)>("SSL_connect");
  used.store(true, std::memory_order_relaxed);
  ERR_clear_error();
  return real(ssl);
}

} // extern "C"

namespace spectacles::nodes {

bool openssl_error_queue_guard_active() {
  // The interposers are in this object file; referencing this function pulls
  // them into the executable. `used` turns true with the first TLS call.
  return used.load(std::memory_order_relaxed) || next_symbol<void*>("SSL_read") != nullptr;
}

} // namespace spectacles::nodes
