#include "actors/worker_record.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <thread>

#include "models/json.hpp"
#include "net/log.hpp"

namespace spectacles::actors {

namespace {

struct fd_closer {
  explicit fd_closer(int f) : fd(f) {}
  fd_closer(const fd_closer&) = delete;
  fd_closer& operator=(const fd_closer&) = delete;
  int fd;
  ~fd_closer() {
    ::close(fd);
  }
};

} // namespace

std::string record_line(const delivery& d, const std::string& worker_name, int64_t at_ms) {
  std::string out = "{\"shard\":" + std::to_string(d.ev.shard)
                    + ",\"seq\":" + std::to_string(d.ev.seq) + ",\"t\":";
  models::write_json_string(out, d.ev.name);
  out += ",\"guild_id\":" + std::to_string(d.ev.guild_id) + ",\"worker\":";
  models::write_json_string(out, worker_name);
  out += ",\"redelivered\":";
  out += d.redelivered() ? "true" : "false";
  out += ",\"at_ms\":" + std::to_string(at_ms) + "}\n";
  return out;
}

net::result<event_handlers> record_handlers(const std::string& path, std::string worker_name,
                                            std::chrono::milliseconds delay) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    return net::error{ net::errc::invalid_argument,
                       "cannot open worker.record-file " + path + ": " + std::strerror(errno) };
  auto file = std::make_shared<fd_closer>(fd);
  event_handlers handlers;
  handlers.on_event(
    [file, worker_name = std::move(worker_name), delay](const event&, worker_context& ctx) {
      if (delay.count() > 0)
        std::this_thread::sleep_for(delay); // a deliberately slow handler (tests, demos)
      auto now = std::chrono::system_clock::now().time_since_epoch();
      auto line = record_line(ctx.current, worker_name,
                              std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
      auto n = ::write(file->fd, line.data(), line.size());
      if (n != static_cast<ssize_t>(line.size()))
        log::error("worker", "record-file write failed: ", std::strerror(errno));
    });
  return handlers;
}

} // namespace spectacles::actors
