#include "actors/rest_proxy.hpp"

#include <cctype>
#include <mutex>
#include <unordered_map>

#include "caf/actor.hpp"
#include "caf/actor_system.hpp"
#include "caf/event_based_actor.hpp"
#include "caf/exit_reason.hpp"
#include "caf/send.hpp"

#include "actors/rest_route.hpp"
#include "actors/rest_type_ids.hpp"
#include "net/http_server.hpp"
#include "net/log.hpp"

namespace spectacles::actors {

namespace {

constexpr const char* component = "rest-proxy";

/// Responders of requests in flight, shared by the I/O threads (which add)
/// and the forwarding actor (which answers).
struct responders {
  std::mutex mtx;
  uint64_t next = 0;
  std::unordered_map<uint64_t, net::http_responder> open;

  uint64_t add(net::http_responder r) {
    std::lock_guard<std::mutex> guard{ mtx };
    open.emplace(++next, std::move(r));
    return next;
  }
  net::http_responder take(uint64_t id) {
    std::lock_guard<std::mutex> guard{ mtx };
    auto it = open.find(id);
    if (it == open.end())
      return {};
    auto r = std::move(it->second);
    open.erase(it);
    return r;
  }
};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i]))
        != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

/// Hop-by-hop and framing headers belong to one connection, not the message.
bool hop_by_hop(std::string_view name) {
  for (auto h : { "Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length", "Host",
                  "Upgrade", "Proxy-Connection", "TE", "Trailer", "Accept-Encoding" })
    if (iequals(name, h))
      return true;
  return false;
}

std::string json_error(std::string_view message) {
  std::string out = R"({"message": ")";
  for (char c : message) {
    if (c == '"' || c == '\\')
      out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20)
      out += c;
  }
  out += R"(", "code": 0})";
  return out;
}

net::http_response error_response(unsigned status, std::string_view message) {
  net::http_response r;
  r.status = status;
  r.headers = { { "Content-Type", "application/json" } };
  r.body = json_error(message);
  return r;
}

net::http_response from_error(caf::actor_system& sys, const caf::error& e) {
  if (e.category() != caf::atom("rest"))
    return error_response(e == caf::sec::request_timeout ? 504 : 503, sys.render(e));
  auto text = sys.render(e);
  switch (static_cast<rest_errc>(e.code())) {
    case rest_errc::token_invalid: return error_response(401, text);
    case rest_errc::too_many_invalid: {
      auto r = error_response(429, text);
      r.headers.emplace_back("Retry-After", "60");
      return r;
    }
    case rest_errc::deadline: return error_response(504, text);
    case rest_errc::transport: return error_response(502, text);
    case rest_errc::invalid_request: return error_response(400, text);
    case rest_errc::router_down: return error_response(503, text);
    case rest_errc::internal: break;
  }
  return error_response(500, text);
}

// The forwarding actor: (uint64 id, rest_request) from an I/O thread; asks the
// router and answers through the responder of `id`.
caf::behavior forwarder(caf::event_based_actor* self, caf::actor router,
                        std::shared_ptr<responders> open, std::chrono::milliseconds timeout) {
  self->monitor(router);
  auto down = std::make_shared<bool>(false);
  self->set_down_handler([down](caf::down_msg&) {
    *down = true;
  });
  return {
    [=](uint64_t id, rest_request& req) {
      if (*down) {
        if (auto r = open->take(id))
          r(error_response(503, "the REST role is down"));
        return;
      }
      req.timeout_ms = static_cast<uint32_t>(timeout.count());
      self->request(router, timeout + std::chrono::seconds(2), std::move(req))
        .then(
          [open, id](rest_response& resp) {
            auto r = open->take(id);
            if (!r)
              return;
            net::http_response out;
            out.status = resp.status;
            for (auto& h : resp.headers)
              if (!hop_by_hop(h.name))
                out.headers.emplace_back(std::move(h.name), std::move(h.value));
            out.body = std::move(resp.body);
            r(std::move(out));
          },
          [self, open, id](caf::error& e) {
            if (auto r = open->take(id))
              r(from_error(self->system(), e));
          });
    },
  };
}

} // namespace

struct rest_proxy::impl {
  std::shared_ptr<net::http_server> server;
  caf::actor forwarder;
  std::shared_ptr<responders> open;
  bool stopped = false;
};

rest_proxy::rest_proxy(std::unique_ptr<impl> i) : impl_(std::move(i)) {}

rest_proxy::~rest_proxy() {
  stop();
}

uint16_t rest_proxy::port() const {
  return impl_->server ? impl_->server->port() : 0;
}

void rest_proxy::stop() {
  if (impl_->stopped)
    return;
  impl_->stopped = true;
  if (impl_->server)
    impl_->server->stop();
  caf::anon_send_exit(impl_->forwarder, caf::exit_reason::user_shutdown);
}

net::result<std::shared_ptr<rest_proxy>>
rest_proxy::start(caf::actor_system& sys, boost::asio::io_context& ioc, const caf::actor& router,
                  rest_proxy_options options) {
  auto i = std::make_unique<impl>();
  i->open = std::make_shared<responders>();
  i->forwarder = sys.spawn(forwarder, router, i->open, options.timeout);
  net::http_server_options so;
  so.host = options.host;
  so.port = options.port;
  auto open = i->open;
  auto fwd = i->forwarder;
  auto server = net::http_server::start(
    ioc, so,
    [open, fwd, lend = options.lend_bot_token](net::http_request&& req,
                                               net::http_responder respond) {
      auto target = normalize_proxy_target(req.target);
      if (auto* err = std::get_if<proxy_target_error>(&target)) {
        respond(error_response(static_cast<unsigned>(err->http_status), err->message));
        return;
      }
      auto& t = std::get<proxy_target>(target);
      rest_request out;
      out.method = std::move(req.method);
      out.path = t.query.empty() ? t.path : t.path + "?" + t.query;
      out.body = std::move(req.body);
      out.bot_token = lend;
      for (auto& [name, value] : req.headers)
        if (!hop_by_hop(name))
          out.headers.push_back({ std::move(name), std::move(value) });
      auto id = open->add(std::move(respond));
      caf::anon_send(fwd, id, std::move(out));
    });
  if (!server) {
    caf::anon_send_exit(i->forwarder, caf::exit_reason::user_shutdown);
    return server.error();
  }
  i->server = *server;
  log::info(component, "serving Discord's REST API on ", options.host, ":", (*server)->port(),
            "/api/v10");
  return std::make_shared<rest_proxy>(std::move(i));
}

} // namespace spectacles::actors
