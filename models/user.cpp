#include "models/user.hpp"

#include "models/detail/codec.hpp"

namespace spectacles::models {

SPECTACLES_JSON_INSTANTIATE(avatar_decoration_data, user_primary_guild, user, guild_member,
                            role_tags, role_colors, role, emoji, sticker, sticker_item)

} // namespace spectacles::models
