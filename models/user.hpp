// user, guild member, role, emoji and sticker (developers/resources/user.mdx, guild.mdx,
// topics/permissions.mdx § Role Object, resources/emoji.mdx, resources/sticker.mdx).
//
//   {"id":"80351110224678912","username":"Nelly","discriminator":"0","global_name":null,
//    "avatar":"8342729096ea3675442027381ff50dfe","bot":true,"public_flags":64}
#pragma once

#include "models/describe.hpp"
#include "models/json.hpp"
#include "models/primitives.hpp"
#include "models/snowflake.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace spectacles::models {

struct avatar_decoration_data {
  image_hash asset;
  nullable<snowflake> sku_id;
  SPECTACLES_FIELDS(avatar_decoration_data, asset, sku_id)
};

/// The user's primary guild tag (user.mdx § User Primary Guild).
struct user_primary_guild {
  nullable<snowflake> identity_guild_id;
  nullable<bool> identity_enabled;
  nullable<std::string> tag;
  nullable<image_hash> badge;
  SPECTACLES_FIELDS(user_primary_guild, identity_guild_id, identity_enabled, tag, badge)
};

enum class premium_type : int32_t { none = 0, nitro_classic = 1, nitro = 2, nitro_basic = 3 };

struct user {
  snowflake id;
  std::string username;
  std::string discriminator;
  nullable<std::string> global_name;
  nullable<image_hash> avatar;
  std::optional<bool> bot;
  std::optional<bool> system;
  std::optional<bool> mfa_enabled;
  std::optional<nullable<image_hash>> banner;
  std::optional<nullable<color>> accent_color;
  std::optional<models::locale> locale;
  std::optional<bool> verified;
  std::optional<nullable<std::string>> email;
  std::optional<uint64_t> flags;
  std::optional<models::premium_type> premium_type;
  std::optional<uint64_t> public_flags;
  std::optional<nullable<models::avatar_decoration_data>> avatar_decoration_data;
  std::optional<nullable<raw_json>> collectibles; // nameplates; shape still changing
  std::optional<nullable<user_primary_guild>> primary_guild;
  SPECTACLES_FIELDS(user, id, username, discriminator, global_name, avatar, bot, system,
                    mfa_enabled, banner, accent_color, locale, verified, email, flags, premium_type,
                    public_flags, avatar_decoration_data, collectibles, primary_guild)
};

/// A guild member; `user` is absent in MESSAGE_CREATE's `member` (guild.mdx § Guild Member).
struct guild_member {
  std::optional<models::user> user;
  std::optional<nullable<std::string>> nick;
  std::optional<nullable<image_hash>> avatar;
  std::optional<nullable<image_hash>> banner;
  std::vector<snowflake> roles;
  nullable<timestamp> joined_at;
  std::optional<nullable<timestamp>> premium_since;
  std::optional<bool> deaf;
  std::optional<bool> mute;
  uint64_t flags = 0;
  std::optional<bool> pending;
  std::optional<models::permissions> permissions; // in interactions only
  std::optional<nullable<timestamp>> communication_disabled_until;
  std::optional<nullable<models::avatar_decoration_data>> avatar_decoration_data;
  std::optional<nullable<raw_json>> collectibles;
  std::optional<nullable<timestamp>> unusual_dm_activity_until;
  std::optional<snowflake> guild_id; // GUILD_MEMBER_ADD/UPDATE carry it
  SPECTACLES_FIELDS(guild_member, user, nick, avatar, banner, roles, joined_at, premium_since, deaf,
                    mute, flags, pending, permissions, communication_disabled_until,
                    avatar_decoration_data, collectibles, unusual_dm_activity_until, guild_id)
};

/// Role tags: a present-but-null value means "true" (permissions.mdx § Role Tags Structure),
/// which is why these are optional<nullable<...>>: absent and null must stay apart.
struct role_tags {
  std::optional<snowflake> bot_id;
  std::optional<snowflake> integration_id;
  std::optional<nullable<bool>> premium_subscriber;
  std::optional<snowflake> subscription_listing_id;
  std::optional<nullable<bool>> available_for_purchase;
  std::optional<nullable<bool>> guild_connections;
  SPECTACLES_FIELDS(role_tags, bot_id, integration_id, premium_subscriber, subscription_listing_id,
                    available_for_purchase, guild_connections)
};

struct role_colors {
  color primary_color;
  nullable<color> secondary_color;
  nullable<color> tertiary_color;
  SPECTACLES_FIELDS(role_colors, primary_color, secondary_color, tertiary_color)
};

struct role {
  snowflake id;
  std::string name;
  models::color color; // deprecated by Discord in favour of colors, still sent
  std::optional<role_colors> colors;
  bool hoist = false;
  std::optional<nullable<image_hash>> icon;
  std::optional<nullable<std::string>> unicode_emoji;
  int32_t position = 0;
  models::permissions permissions;
  bool managed = false;
  bool mentionable = false;
  std::optional<role_tags> tags;
  uint64_t flags = 0;
  SPECTACLES_FIELDS(role, id, name, color, colors, hoist, icon, unicode_emoji, position,
                    permissions, managed, mentionable, tags, flags)
};

/// An emoji; `id` is null for Unicode emoji ("name":"🔥").
struct emoji {
  nullable<snowflake> id;
  nullable<std::string> name;
  std::optional<std::vector<snowflake>> roles;
  std::optional<models::user> user;
  std::optional<bool> require_colons;
  std::optional<bool> managed;
  std::optional<bool> animated;
  std::optional<bool> available;
  SPECTACLES_FIELDS(emoji, id, name, roles, user, require_colons, managed, animated, available)
};

enum class sticker_type : int32_t { standard = 1, guild = 2 };
enum class sticker_format_type : int32_t { png = 1, apng = 2, lottie = 3, gif = 4 };

struct sticker {
  snowflake id;
  std::optional<snowflake> pack_id;
  std::string name;
  nullable<std::string> description;
  std::string tags;
  sticker_type type = sticker_type::guild;
  sticker_format_type format_type = sticker_format_type::png;
  std::optional<bool> available;
  std::optional<snowflake> guild_id;
  std::optional<models::user> user;
  std::optional<int32_t> sort_value;
  SPECTACLES_FIELDS(sticker, id, pack_id, name, description, tags, type, format_type, available,
                    guild_id, user, sort_value)
};

struct sticker_item {
  snowflake id;
  std::string name;
  sticker_format_type format_type = sticker_format_type::png;
  SPECTACLES_FIELDS(sticker_item, id, name, format_type)
};

} // namespace spectacles::models
