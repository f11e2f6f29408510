// Announces every message type of the project to an actor system config.
// Call it once per actor system, on every node (CAF-0.17.md §10.8: a type
// unknown to one side turns into an empty message).
#pragma once

namespace caf {
class actor_system_config;
} // namespace caf

namespace spectacles::actors {

void register_types(caf::actor_system_config& cfg);

} // namespace spectacles::actors
