#include "actors/session_record.hpp"

#include <algorithm>

namespace spectacles::actors {

session_record::session_record(session_record_options options) : options_(options) {
  if (options_.max_unsaved_events == 0)
    options_.max_unsaved_events = 1;
}

uint64_t session_record::save_seq() const {
  uint64_t received = received_seq_.value_or(0);
  if (!options_.use_commit_point)
    return received;
  // The commit point can never be ahead of what this shard received.
  return std::min(commit_seq_, received);
}

session_snapshot session_record::on_ready(std::string session_id, std::string resume_gateway_url,
                                          uint64_t seq, gateway_time now) {
  session_id_ = std::move(session_id);
  resume_gateway_url_ = std::move(resume_gateway_url);
  received_seq_ = seq;
  // A new session: nothing of it can have been acked yet except READY's own
  // seq position, which the router numbers from here.
  commit_seq_ = 0;
  has_saved_ = false;
  return *maybe_save(now, true);
}

void session_record::on_resuming(uint64_t seq) {
  commit_seq_ = std::max(commit_seq_, seq);
  if (!received_seq_ || *received_seq_ < seq)
    received_seq_ = seq;
}

std::optional<session_snapshot> session_record::on_resumed(uint64_t seq, gateway_time now) {
  if (session_id_.empty())
    return std::nullopt;
  if (!received_seq_ || *received_seq_ < seq)
    received_seq_ = seq;
  return maybe_save(now, true);
}

std::optional<session_snapshot> session_record::on_seq(uint64_t seq, gateway_time now) {
  if (session_id_.empty())
    return std::nullopt;
  if (received_seq_ && seq <= *received_seq_)
    return std::nullopt; // a replayed or repeated seq moves nothing
  received_seq_ = seq;
  return maybe_save(now, false);
}

std::optional<session_snapshot> session_record::on_commit(uint64_t seq, gateway_time now) {
  if (session_id_.empty() || seq <= commit_seq_)
    return std::nullopt;
  commit_seq_ = seq;
  if (!options_.use_commit_point)
    return std::nullopt;
  return maybe_save(now, false);
}

std::optional<session_snapshot> session_record::maybe_save(gateway_time now, bool force) {
  uint64_t seq = save_seq();
  if (!force && has_saved_ && seq == saved_seq_)
    return std::nullopt;
  if (!force) {
    if (!dirty_since_)
      dirty_since_ = now;
    ++unsaved_events_;
    bool stale = now - *dirty_since_ >= options_.max_staleness;
    if (!stale && unsaved_events_ < options_.max_unsaved_events)
      return std::nullopt;
  }
  saved_seq_ = seq;
  has_saved_ = true;
  unsaved_events_ = 0;
  dirty_since_.reset();
  return session_snapshot{ session_id_, resume_gateway_url_, seq };
}

std::optional<session_snapshot> session_record::on_tick(gateway_time now) {
  if (!dirty_since_ || session_id_.empty())
    return std::nullopt;
  if (now - *dirty_since_ < options_.max_staleness)
    return std::nullopt;
  return maybe_save(now, true);
}

std::optional<gateway_time> session_record::next_deadline() const {
  if (!dirty_since_)
    return std::nullopt;
  return *dirty_since_ + options_.max_staleness;
}

void session_record::invalidate() {
  session_id_.clear();
  resume_gateway_url_.clear();
  received_seq_.reset();
  commit_seq_ = 0;
  saved_seq_ = 0;
  has_saved_ = false;
  unsaved_events_ = 0;
  dirty_since_.reset();
}

std::optional<session_snapshot> session_record::current() const {
  if (session_id_.empty())
    return std::nullopt;
  return session_snapshot{ session_id_, resume_gateway_url_, save_seq() };
}

void session_record::restore(session_snapshot snapshot) {
  invalidate();
  session_id_ = std::move(snapshot.session_id);
  resume_gateway_url_ = std::move(snapshot.resume_gateway_url);
  received_seq_ = snapshot.seq;
  commit_seq_ = snapshot.seq;
  saved_seq_ = snapshot.seq;
  has_saved_ = true;
}

} // namespace spectacles::actors
