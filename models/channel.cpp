#include "models/channel.hpp"

#include "models/detail/codec.hpp"

namespace spectacles::models {

SPECTACLES_JSON_INSTANTIATE(overwrite, thread_metadata, thread_member, forum_tag, default_reaction,
                            channel, channel_mention)

} // namespace spectacles::models
