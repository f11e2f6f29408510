#include "sim/simulator.hpp"

#include "net/tls.hpp"
#include "sim/json_writer.hpp"
#include "sim/payloads.hpp"

#include <boost/asio/steady_timer.hpp>

namespace spectacles::sim {

simulator::simulator(simulator_options options)
    : options_(std::move(options)), world_(options_.world), start_limit_(options_.start_limit) {}

net::result<std::unique_ptr<simulator>> simulator::start(simulator_options options) {
  std::unique_ptr<simulator> sim{ new simulator(std::move(options)) };
  auto& o = sim->options_;
  for (auto& spec : o.faults)
    if (auto err = sim->faults_.add_text(spec))
      return net::error{ net::errc::invalid_argument, "--fault: " + *err };
  std::shared_ptr<boost::asio::ssl::context> tls;
  if (!o.tls_cert.empty() || !o.tls_key.empty()) {
    auto ctx = net::make_server_context({ o.tls_cert, o.tls_key, {} });
    if (!ctx)
      return ctx.error();
    tls = *ctx;
    sim->tls_ = true;
  }
  o.gateway.token = o.token;
  sim->hub_ = std::make_unique<gateway_hub>(sim->world_, sim->faults_, sim->verdict_,
                                            sim->start_limit_, o.gateway);
  rest_options ro;
  ro.token = o.token;
  ro.shards = o.shards;
  ro.limits = o.limits;
  sim->api_
    = std::make_unique<rest_api>(sim->world_, sim->faults_, sim->verdict_, sim->start_limit_, ro);
  // Messages created through REST come back as MESSAGE_CREATE on their shard.
  auto* raw = sim.get();
  sim->api_->on_message_created = [raw](const sim_message& m) {
    if (!m.guild_id)
      return;
    json_writer w;
    write_message(w, raw->world_, m, true);
    raw->hub_->push_guild_event(m.guild_id, "MESSAGE_CREATE", w.take());
  };
  sim->shared_ = std::make_shared<gateway_shared>(*sim->hub_, sim->mtx_);
  sim->io_ = std::make_unique<net::io_pool>(std::max<size_t>(1, o.io_threads));
  auto gw = gateway_server::start(
    sim->io_->context(), gateway_server_options{ o.host, o.gateway_port, o.resume_port, tls },
    sim->shared_);
  if (!gw)
    return gw.error();
  sim->gateway_ = *gw;
  net::http_server_options hso;
  hso.host = o.host;
  hso.port = o.rest_port;
  hso.tls = tls;
  auto rest = net::http_server::start(sim->io_->context(), hso,
                                      [raw](net::http_request&& req, net::http_responder respond) {
                                        raw->handle(std::move(req), std::move(respond));
                                      });
  if (!rest)
    return rest.error();
  sim->rest_ = *rest;
  {
    std::lock_guard<std::mutex> guard{ sim->mtx_ };
    auto& go = sim->hub_->mutable_options();
    go.gateway_url = sim->gateway_->url();
    go.resume_url = sim->gateway_->resume_url();
    sim->api_->set_gateway_url(go.gateway_url);
  }
  return sim;
}

simulator::~simulator() {
  stop();
}

void simulator::stop() {
  if (rest_)
    rest_->stop();
  if (gateway_)
    gateway_->stop();
  if (io_)
    io_->stop();
}

uint16_t simulator::gateway_port() const {
  return gateway_->port();
}
uint16_t simulator::resume_port() const {
  return gateway_->resume_port();
}
uint16_t simulator::rest_port() const {
  return rest_->port();
}
std::string simulator::gateway_url() const {
  return gateway_->url();
}
std::string simulator::resume_url() const {
  return gateway_->resume_url();
}
std::string simulator::rest_url() const {
  return std::string{ tls_ ? "https://" : "http://" } + options_.host + ":"
         + std::to_string(rest_->port()) + "/api/v10";
}

std::string simulator::ports_json() const {
  json_writer w;
  w.begin_object()
    .field("gateway", gateway_port())
    .field("resume_gateway", resume_port())
    .field("rest", rest_port())
    .field("tls", tls_)
    .field("gateway_url", gateway_url())
    .field("rest_url", rest_url())
    .end_object();
  return w.take();
}

verdict simulator::verdict_snapshot() {
  std::lock_guard<std::mutex> guard{ mtx_ };
  verdict_.invalid_last_10min = api_->limits().invalid_requests(sim_clock::now());
  return verdict_;
}

std::vector<request_record> simulator::requests() {
  std::lock_guard<std::mutex> guard{ mtx_ };
  return { api_->requests().begin(), api_->requests().end() };
}

void simulator::handle(net::http_request&& req, net::http_responder respond) {
  auto json = [](unsigned status, std::string body) {
    net::http_response r;
    r.status = status;
    r.headers.emplace_back("Content-Type", "application/json");
    r.body = std::move(body);
    return r;
  };
  if (req.target.rfind("/_sim/", 0) == 0) {
    if (req.method == "GET" && req.target == "/_sim/verdict")
      return respond(json(200, verdict_snapshot().to_json()));
    if (req.method == "POST" && req.target == "/_sim/faults") {
      if (auto err = faults_.add_text(req.body))
        return respond(json(400, error_body(0, *err)));
      return respond(json(204, {}));
    }
    if (req.method == "GET" && req.target == "/_sim/faults") {
      json_writer w;
      w.begin_array();
      for (auto& f : faults_.pending())
        w.value(to_string(f));
      w.end_array();
      return respond(json(200, w.take()));
    }
    if (req.method == "GET" && req.target == "/_sim/requests") {
      json_writer w;
      w.begin_array();
      for (auto& r : requests())
        w.begin_object()
          .field("time", epoch_seconds(r.time))
          .field("method", r.method)
          .field("path", r.path)
          .field("route", r.route)
          .field("bucket", r.bucket)
          .field("status", r.status)
          .field("scope", r.scope)
          .field("user_agent", r.user_agent)
          .field("audit_log_reason", r.audit_log_reason)
          .field("authorization", r.authorization)
          .end_object();
      w.end_array();
      return respond(json(200, w.take()));
    }
    return respond(json(404, error_body(0, "404: Not Found")));
  }
  rest_reply reply;
  {
    std::lock_guard<std::mutex> guard{ mtx_ };
    reply = api_->handle(req, sim_clock::now());
  }
  if (reply.delay.count() <= 0)
    return respond(std::move(reply.response));
  // Slow-response fault: answer later without holding an I/O thread.
  auto timer = std::make_shared<boost::asio::steady_timer>(io_->context(), reply.delay);
  timer->async_wait([timer, respond = std::move(respond),
                     response = std::move(reply.response)](boost::system::error_code) mutable {
    respond(std::move(response));
  });
}

} // namespace spectacles::sim
