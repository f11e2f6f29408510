// worker.handler=record: a built-in handler for demos and cluster tests. It
// appends one JSON line per delivered event to a file, before the ack:
//
//   {"shard":0,"seq":1042,"t":"MESSAGE_CREATE","guild_id":81384788765712384,"worker":"w1@node-b","redelivered":false,"at_ms":1764270000123}
//
// `t` is the event name (the envelope's t); `at_ms` the wall-clock time of
// handling. Each line is one write(2) on an O_APPEND descriptor, so a line is
// in the file once the event is acked even if the process is killed -9 right
// after, and several workers may share one file.
#pragma once

#include <chrono>

#include <string>

#include "actors/worker.hpp"
#include "net/result.hpp"

namespace spectacles::actors {

/// The JSON line for one delivery (with its trailing newline).
std::string record_line(const delivery& d, const std::string& worker_name, int64_t at_ms);

/// Handlers that record every event (subscribes to all) to `path`, created if
/// missing. Fails with a readable error when the file cannot be opened.
/// `delay` makes every handler call that much slower (slow-worker tests).
net::result<event_handlers> record_handlers(const std::string& path, std::string worker_name,
                                            std::chrono::milliseconds delay = {});

} // namespace spectacles::actors
