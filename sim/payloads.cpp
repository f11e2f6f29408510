#include "sim/payloads.hpp"

namespace spectacles::sim {

namespace {

// Fields every guild capture carries and the sim does not model; kept so that
// decoders meet the real shape (tests/fixtures/discord-captures/rest_get_guild.json).
constexpr std::string_view guild_constant_fields
  = R"("mfa_level":0,"max_stage_video_channel_users":50,"max_presences":null,"banner":null,)"
    R"("inventory_settings":null,"home_header":null,"nsfw":false,"public_updates_channel_id":null,)"
    R"("afk_timeout":300,"preferred_locale":"en-US","afk_channel_id":null,"hub_type":null,)"
    R"("owner_configured_content_level":0,"premium_progress_bar_enabled":false,)"
    R"("explicit_content_filter":0,"default_message_notifications":0,"icon":null,"nsfw_level":0,)"
    R"("discovery_splash":null,"embed_enabled":false,"verification_level":0,"incidents_data":null,)"
    R"("application_id":null,"max_members":25000000,"premium_tier":0,"embed_channel_id":null,)"
    R"("splash":null,"latest_onboarding_question_id":null,"vanity_url_code":null,)"
    R"("premium_progress_bar_enabled_user_updated_at":null,"description":null,)"
    R"("safety_alerts_channel_id":null,"rules_channel_id":null,"widget_channel_id":null,)"
    R"("region":"us-central","max_video_channel_users":25,"widget_enabled":false,)"
    R"("premium_subscription_count":0,"features":["AUTO_MODERATION"],"system_channel_flags":0,)"
    R"("emojis":[],"stickers":[])";

} // namespace

void id_field(json_writer& w, std::string_view name, uint64_t id) {
  w.key(name);
  if (id == 0)
    w.null();
  else
    w.value(std::to_string(id));
}

void write_user(json_writer& w, const sim_user& u, bool with_private) {
  w.begin_object();
  id_field(w, "id", u.id);
  w.field("username", u.username);
  w.key("global_name");
  if (u.global_name.empty())
    w.null();
  else
    w.value(u.global_name);
  w.field("discriminator", u.discriminator);
  if (u.bot)
    w.field("bot", true);
  w.key("avatar").null().key("banner").null().key("accent_color").null();
  w.key("banner_color").null().key("avatar_decoration_data").null().key("collectibles").null();
  w.key("display_name_styles").null().key("clan").null().key("primary_guild").null();
  w.field("public_flags", 0).field("flags", 0);
  if (with_private) {
    w.field("mfa_enabled", true).field("verified", true).key("email").null();
    w.field("locale", "en-US").field("premium_type", 0).field("bio", "");
  }
  w.end_object();
}

void write_role(json_writer& w, const sim_role& r) {
  w.begin_object();
  id_field(w, "id", r.id);
  w.field("name", r.name).field("color", r.color);
  w.key("colors")
    .begin_object()
    .field("primary_color", r.color)
    .key("secondary_color")
    .null()
    .key("tertiary_color")
    .null()
    .end_object();
  w.field("hoist", r.hoist).key("icon").null().key("unicode_emoji").null();
  w.field("position", r.position).field("permissions", r.permissions);
  w.field("managed", r.managed).field("mentionable", r.mentionable);
  w.key("description").null().field("flags", 0);
  w.end_object();
}

void write_member(json_writer& w, const world& state, const sim_member& m, bool with_user) {
  w.begin_object();
  if (with_user) {
    if (auto* u = state.user(m.user_id)) {
      w.key("user");
      write_user(w, *u);
    }
  }
  w.key("roles").begin_array();
  for (auto r : m.roles)
    w.value(std::to_string(r));
  w.end_array();
  w.field("joined_at", m.joined_at);
  w.key("nick").null().key("avatar").null().key("banner").null().key("premium_since").null();
  w.field("deaf", false).field("mute", false).field("pending", false).field("flags", 0);
  w.key("communication_disabled_until").null().key("collectibles").null();
  w.key("display_name_styles").null().key("unusual_dm_activity_until").null();
  w.end_object();
}

void write_channel(json_writer& w, const sim_channel& c) {
  w.begin_object();
  id_field(w, "id", c.id);
  w.field("type", c.type);
  id_field(w, "guild_id", c.guild_id);
  w.field("name", c.name).field("position", c.position);
  id_field(w, "parent_id", c.parent_id);
  w.key("permission_overwrites").begin_array().end_array();
  w.field("flags", 0);
  if (c.type == 0) {
    w.key("topic").null().field("nsfw", false).field("rate_limit_per_user", 0);
    id_field(w, "last_message_id", c.last_message_id);
    w.key("last_pin_timestamp").null().key("theme_color").null();
  }
  w.end_object();
}

void write_guild(json_writer& w, const sim_guild& g) {
  w.begin_object();
  id_field(w, "id", g.id);
  w.field("name", g.name);
  id_field(w, "owner_id", g.owner_id);
  id_field(w, "system_channel_id", g.channels.size() > 1 ? g.channels[1] : 0);
  w.raw_fields(guild_constant_fields);
  w.key("roles").begin_array();
  for (auto& r : g.roles)
    write_role(w, r);
  w.end_array();
  w.end_object();
}

void write_guild_create(json_writer& w, const world& state, const sim_guild& g, time_point) {
  w.begin_object();
  id_field(w, "id", g.id);
  w.field("name", g.name);
  id_field(w, "owner_id", g.owner_id);
  id_field(w, "system_channel_id", g.channels.size() > 1 ? g.channels[1] : 0);
  w.raw_fields(guild_constant_fields);
  w.key("roles").begin_array();
  for (auto& r : g.roles)
    write_role(w, r);
  w.end_array();
  w.field("joined_at", g.members.begin()->second.joined_at);
  w.field("large", g.members.size() > 50).field("unavailable", false).field("lazy", true);
  w.field("member_count", g.members.size());
  w.key("members").begin_array();
  // Like Discord for large guilds: GUILD_CREATE lists only the first members.
  size_t n = 0;
  for (auto& [id, m] : g.members) {
    if (n++ == 50)
      break;
    write_member(w, state, m);
  }
  w.end_array();
  w.key("channels").begin_array();
  for (auto id : g.channels)
    if (auto* c = state.channel(id))
      write_channel(w, *c);
  w.end_array();
  for (auto empty :
       { "threads", "presences", "voice_states", "stage_instances", "guild_scheduled_events",
         "soundboard_sounds", "embedded_activities", "activity_instances" })
    w.key(empty).begin_array().end_array();
  w.field("version", 1700000000000ll);
  w.end_object();
}

void write_message(json_writer& w, const world& state, const sim_message& m, bool gateway) {
  w.begin_object();
  id_field(w, "id", m.id);
  w.field("type", 0);
  id_field(w, "channel_id", m.channel_id);
  w.key("author");
  if (auto* u = state.user(m.author_id))
    write_user(w, *u);
  else
    write_user(w, sim_user{ m.author_id, "webhook", "", "0000", true });
  if (m.webhook_id)
    id_field(w, "webhook_id", m.webhook_id);
  w.field("content", m.content).field("timestamp", m.timestamp);
  w.key("edited_timestamp");
  if (m.edited_timestamp.empty())
    w.null();
  else
    w.value(m.edited_timestamp);
  w.field("tts", false).field("mention_everyone", false);
  w.key("mentions").begin_array().end_array();
  w.key("mention_roles").begin_array().end_array();
  w.key("attachments").begin_array();
  for (auto& a : m.attachments) {
    w.begin_object();
    id_field(w, "id", a.id);
    w.field("filename", a.filename).field("size", a.size);
    w.field("url", "https://cdn.discordapp.com/attachments/" + std::to_string(m.channel_id) + "/"
                     + std::to_string(a.id) + "/" + a.filename);
    w.field("proxy_url", "https://media.discordapp.net/attachments/" + std::to_string(m.channel_id)
                           + "/" + std::to_string(a.id) + "/" + a.filename);
    if (!a.content_type.empty())
      w.field("content_type", a.content_type);
    w.end_object();
  }
  w.end_array();
  w.key("embeds").raw(m.embeds_json);
  w.key("components").raw(m.components_json);
  if (!m.reactions.empty()) {
    w.key("reactions").begin_array();
    for (auto& [emoji, users] : m.reactions) {
      w.begin_object().field("count", users.size()).field("me", users.count(state.bot().id) > 0);
      w.key("emoji").begin_object().key("id").null().field("name", emoji).end_object();
      w.end_object();
    }
    w.end_array();
  }
  w.field("pinned", false).field("flags", 0);
  if (!m.nonce.empty())
    w.field("nonce", m.nonce);
  if (gateway && m.guild_id) {
    id_field(w, "guild_id", m.guild_id);
    w.field("channel_type", 0);
    auto* g = state.guild(m.guild_id);
    if (g && g->members.count(m.author_id)) {
      w.key("member");
      write_member(w, state, g->members.at(m.author_id), false);
    }
  }
  w.end_object();
}

std::string error_body(int code, std::string_view message) {
  json_writer w;
  w.begin_object().field("message", message).field("code", code).end_object();
  return w.take();
}

std::string form_error_body(std::string_view field, std::string_view code,
                            std::string_view message) {
  json_writer w;
  w.begin_object().field("message", "Invalid Form Body").field("code", 50035);
  w.key("errors").begin_object();
  if (!field.empty())
    w.key(field).begin_object();
  w.key("_errors").begin_array();
  w.begin_object().field("code", code).field("message", message).end_object();
  w.end_array();
  if (!field.empty())
    w.end_object();
  w.end_object().end_object();
  return w.take();
}

} // namespace spectacles::sim
