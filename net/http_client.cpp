#include "net/http_client.hpp"

#include <future>

#include <boost/asio/post.hpp>

#include "net/http_client_connection.hpp"

namespace spectacles::net {

namespace asio = boost::asio;

http_client::http_client(asio::io_context& ioc, http_client_options opts, tls_context tls)
    : ioc_(ioc), opts_(std::move(opts)), tls_(std::move(tls)) {}

result<std::shared_ptr<http_client>> http_client::create(asio::io_context& ioc,
                                                         http_client_options opts) {
  if (opts.max_connections_per_host == 0)
    return error{ errc::invalid_argument, "http_client needs max_connections_per_host >= 1" };
  auto tls = opts.tls;
  if (!tls) {
    auto ctx = make_client_context();
    if (!ctx)
      return ctx.error();
    tls = *ctx;
  }
  return std::make_shared<http_client>(ioc, std::move(opts), std::move(tls));
}

void http_client::request(std::string method, std::string_view url_text, http_headers headers,
                          std::string body, http_completion done) {
  auto where = parse_url(url_text);
  if (where && where->scheme != "http" && where->scheme != "https")
    where = error{ errc::invalid_argument, "http_client needs an http:// or https:// URL, got '"
                                             + std::string(url_text) + "'" };
  if (!where) {
    // Keep the promise that completions run on an I/O thread.
    asio::post(ioc_, [done = std::move(done), err = where.error()] {
      done(err);
    });
    return;
  }
  auto j = std::make_shared<job>();
  j->method = std::move(method);
  j->where = std::move(*where);
  j->headers = std::move(headers);
  j->body = std::move(body);
  j->done = std::move(done);
  start(j);
}

std::shared_ptr<http_client::connection> http_client::make_connection(const url& origin) {
  if (origin.tls())
    return std::make_shared<tls_http_client_connection>(ioc_, shared_from_this(), origin, tls_);
  return std::make_shared<plain_http_client_connection>(ioc_, shared_from_this(), origin, nullptr);
}

void http_client::start(const std::shared_ptr<job>& j) {
  std::shared_ptr<connection> conn;
  std::vector<std::shared_ptr<connection>> stale;
  {
    std::lock_guard guard{ mtx_ };
    auto& p = pools_[j->where.origin()];
    auto now = std::chrono::steady_clock::now();
    while (!conn && !p.idle.empty()) {
      auto c = std::move(p.idle.back());
      p.idle.pop_back();
      if (now - c->last_used > opts_.max_idle) {
        --p.total;
        stale.push_back(std::move(c));
      } else {
        conn = std::move(c);
      }
    }
    if (!conn) {
      if (p.total >= opts_.max_connections_per_host) {
        p.waiting.push_back(j);
      } else {
        ++p.total;
        conn = make_connection(j->where);
      }
    }
  }
  for (auto& c : stale)
    c->close();
  if (conn)
    conn->run(j);
}

void http_client::finished(const std::shared_ptr<connection>& conn, bool reusable) {
  std::shared_ptr<job> next;
  std::shared_ptr<connection> runner;
  {
    std::lock_guard guard{ mtx_ };
    auto& p = pools_[conn->origin];
    if (!p.waiting.empty()) {
      next = std::move(p.waiting.front());
      p.waiting.pop_front();
      // A connection that cannot be reused still counts; it reconnects.
      runner = conn;
    } else if (reusable) {
      conn->last_used = std::chrono::steady_clock::now();
      p.idle.push_back(conn);
    } else {
      --p.total;
    }
  }
  if (next)
    runner->run(next);
}

void http_client::close_idle() {
  std::vector<std::shared_ptr<connection>> idle;
  {
    std::lock_guard guard{ mtx_ };
    for (auto& [origin, p] : pools_) {
      p.total -= p.idle.size();
      for (auto& c : p.idle)
        idle.push_back(std::move(c));
      p.idle.clear();
    }
  }
  for (auto& c : idle)
    c->close();
}

result<http_response> http_client::request_sync(std::string method, std::string_view url,
                                                http_headers headers, std::string body) {
  auto promise = std::make_shared<std::promise<result<http_response>>>();
  auto future = promise->get_future();
  request(std::move(method), url, std::move(headers), std::move(body),
          [promise](result<http_response> r) {
            promise->set_value(std::move(r));
          });
  return future.get();
}

} // namespace spectacles::net
