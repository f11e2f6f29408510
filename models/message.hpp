// message and what it contains: embeds, attachments, reactions, components (v1 and v2), polls,
// references, snapshots, interaction metadata, resolved data (developers/resources/message.mdx,
// components/reference.mdx, resources/poll.mdx).
//
//   {"id":"334385199974967042","channel_id":"290926798999357250","type":0,"content":"hi",
//    "author":{"id":"53908099506183680","username":"Mason","discriminator":"0",...},
//    "timestamp":"2017-07-11T17:27:07.299000+00:00","edited_timestamp":null,"tts":false,
//    "mention_everyone":false,"mentions":[],"mention_roles":[],"attachments":[],"embeds":[],
//    "pinned":false}
#pragma once

#include "models/channel.hpp"
#include "models/describe.hpp"
#include "models/json.hpp"
#include "models/primitives.hpp"
#include "models/snowflake.hpp"
#include "models/user.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace spectacles::models {

struct embed_footer {
  std::string text;
  std::optional<std::string> icon_url;
  std::optional<std::string> proxy_icon_url;
  SPECTACLES_FIELDS(embed_footer, text, icon_url, proxy_icon_url)
};

/// Image, thumbnail and video of an embed share this shape.
struct embed_media {
  std::optional<std::string> url;
  std::optional<std::string> proxy_url;
  std::optional<int32_t> height;
  std::optional<int32_t> width;
  std::optional<std::string> content_type;
  std::optional<std::string> placeholder;
  std::optional<int32_t> placeholder_version;
  std::optional<uint64_t> flags;
  SPECTACLES_FIELDS(embed_media, url, proxy_url, height, width, content_type, placeholder,
                    placeholder_version, flags)
};

struct embed_provider {
  std::optional<std::string> name;
  std::optional<nullable<std::string>> url;
  SPECTACLES_FIELDS(embed_provider, name, url)
};

struct embed_author {
  std::string name;
  std::optional<std::string> url;
  std::optional<std::string> icon_url;
  std::optional<std::string> proxy_icon_url;
  SPECTACLES_FIELDS(embed_author, name, url, icon_url, proxy_icon_url)
};

struct embed_field {
  std::string name;
  std::string value;
  std::optional<bool> is_inline; // JSON "inline", a C++ keyword
  static constexpr auto fields() {
    return std::tuple{ field_desc{ "name", &embed_field::name },
                       field_desc{ "value", &embed_field::value },
                       field_desc{ "inline", &embed_field::is_inline } };
  }
};

struct embed {
  std::optional<std::string> title;
  std::optional<std::string> type;
  std::optional<std::string> description;
  std::optional<std::string> url;
  std::optional<models::timestamp> timestamp;
  std::optional<models::color> color;
  std::optional<embed_footer> footer;
  std::optional<embed_media> image;
  std::optional<embed_media> thumbnail;
  std::optional<embed_media> video;
  std::optional<embed_provider> provider;
  std::optional<embed_author> author;
  std::optional<std::vector<embed_field>> fields_; // JSON "fields"
  std::optional<uint64_t> flags;
  static constexpr auto fields() {
    return std::tuple{ field_desc{ "title", &embed::title },
                       field_desc{ "type", &embed::type },
                       field_desc{ "description", &embed::description },
                       field_desc{ "url", &embed::url },
                       field_desc{ "timestamp", &embed::timestamp },
                       field_desc{ "color", &embed::color },
                       field_desc{ "footer", &embed::footer },
                       field_desc{ "image", &embed::image },
                       field_desc{ "thumbnail", &embed::thumbnail },
                       field_desc{ "video", &embed::video },
                       field_desc{ "provider", &embed::provider },
                       field_desc{ "author", &embed::author },
                       field_desc{ "fields", &embed::fields_ },
                       field_desc{ "flags", &embed::flags } };
  }
};

struct attachment {
  snowflake id;
  std::string filename;
  std::optional<std::string> title;
  std::optional<std::string> description;
  std::optional<std::string> content_type;
  uint64_t size = 0;
  std::string url;
  std::string proxy_url;
  std::optional<nullable<int32_t>> height;
  std::optional<nullable<int32_t>> width;
  std::optional<bool> ephemeral;
  std::optional<double> duration_secs;
  std::optional<std::string> waveform;
  std::optional<uint64_t> flags;
  std::optional<std::string> placeholder;
  std::optional<int32_t> placeholder_version;
  SPECTACLES_FIELDS(attachment, id, filename, title, description, content_type, size, url,
                    proxy_url, height, width, ephemeral, duration_secs, waveform, flags,
                    placeholder, placeholder_version)
};

struct reaction_count_details {
  int32_t burst = 0;
  int32_t normal = 0;
  SPECTACLES_FIELDS(reaction_count_details, burst, normal)
};

struct reaction {
  int32_t count = 0;
  reaction_count_details count_details;
  bool me = false;
  bool me_burst = false;
  models::emoji emoji;
  std::vector<std::string> burst_colors;
  SPECTACLES_FIELDS(reaction, count, count_details, me, me_burst, emoji, burst_colors)
};

/// Component types, v1 and v2 (components/reference.mdx § Component Types).
enum class component_type : int32_t {
  action_row = 1,
  button = 2,
  string_select = 3,
  text_input = 4,
  user_select = 5,
  role_select = 6,
  mentionable_select = 7,
  channel_select = 8,
  section = 9,
  text_display = 10,
  thumbnail = 11,
  media_gallery = 12,
  file = 13,
  separator = 14,
  content_inventory_entry = 16,
  container = 17,
  label = 18,
  file_upload = 19,
};

struct select_option {
  std::string label;
  std::string value;
  std::optional<std::string> description;
  std::optional<models::emoji> emoji;
  std::optional<bool> is_default; // JSON "default", a C++ keyword
  static constexpr auto fields() {
    return std::tuple{ field_desc{ "label", &select_option::label },
                       field_desc{ "value", &select_option::value },
                       field_desc{ "description", &select_option::description },
                       field_desc{ "emoji", &select_option::emoji },
                       field_desc{ "default", &select_option::is_default } };
  }
};

struct select_default_value {
  snowflake id;
  std::string type; // "user", "role" or "channel"
  SPECTACLES_FIELDS(select_default_value, id, type)
};

/// A media reference in v2 components (thumbnail, gallery item, file).
struct unfurled_media {
  std::string url;
  std::optional<std::string> proxy_url;
  std::optional<nullable<int32_t>> height;
  std::optional<nullable<int32_t>> width;
  std::optional<std::string> content_type;
  std::optional<snowflake> attachment_id;
  SPECTACLES_FIELDS(unfurled_media, url, proxy_url, height, width, content_type, attachment_id)
};

struct media_gallery_item {
  unfurled_media media;
  std::optional<nullable<std::string>> description;
  std::optional<bool> spoiler;
  SPECTACLES_FIELDS(media_gallery_item, media, description, spoiler)
};

/// One component of any type. Discord's components are one JSON shape with a `type`
/// discriminator, so this is one struct whose fields each type uses a subset of; nested
/// layouts (action rows, sections, containers, labels) hold their children.
struct component {
  component_type type = component_type::action_row;
  std::optional<int32_t> id;
  std::optional<std::vector<component>> components;
  // buttons
  std::optional<int32_t> style;
  std::optional<std::string> label;
  std::optional<models::emoji> emoji;
  std::optional<std::string> custom_id;
  std::optional<snowflake> sku_id;
  std::optional<std::string> url;
  std::optional<bool> disabled;
  // select menus
  std::optional<std::vector<select_option>> options;
  std::optional<std::vector<channel_type>> channel_types;
  std::optional<std::string> placeholder;
  std::optional<std::vector<select_default_value>> default_values;
  std::optional<int32_t> min_values;
  std::optional<int32_t> max_values;
  // text input (and modal submissions)
  std::optional<int32_t> min_length;
  std::optional<int32_t> max_length;
  std::optional<bool> required;
  std::optional<std::string> value;
  std::optional<std::vector<std::string>> values;
  // v2 layout and content
  std::optional<box<component>> accessory;  // section
  std::optional<box<component>> component_; // label: JSON "component"
  std::optional<std::string> content;       // text display
  std::optional<unfurled_media> media;      // thumbnail
  std::optional<nullable<std::string>> description;
  std::optional<bool> spoiler;
  std::optional<std::vector<media_gallery_item>> items; // media gallery
  std::optional<unfurled_media> file;                   // file
  std::optional<std::string> name;
  std::optional<uint64_t> size;
  std::optional<bool> divider; // separator
  std::optional<int32_t> spacing;
  std::optional<nullable<color>> accent_color; // container
  static constexpr auto fields() {
    using c = component;
    return std::tuple{ field_desc{ "type", &c::type },
                       field_desc{ "id", &c::id },
                       field_desc{ "components", &c::components },
                       field_desc{ "style", &c::style },
                       field_desc{ "label", &c::label },
                       field_desc{ "emoji", &c::emoji },
                       field_desc{ "custom_id", &c::custom_id },
                       field_desc{ "sku_id", &c::sku_id },
                       field_desc{ "url", &c::url },
                       field_desc{ "disabled", &c::disabled },
                       field_desc{ "options", &c::options },
                       field_desc{ "channel_types", &c::channel_types },
                       field_desc{ "placeholder", &c::placeholder },
                       field_desc{ "default_values", &c::default_values },
                       field_desc{ "min_values", &c::min_values },
                       field_desc{ "max_values", &c::max_values },
                       field_desc{ "min_length", &c::min_length },
                       field_desc{ "max_length", &c::max_length },
                       field_desc{ "required", &c::required },
                       field_desc{ "value", &c::value },
                       field_desc{ "values", &c::values },
                       field_desc{ "accessory", &c::accessory },
                       field_desc{ "component", &c::component_ },
                       field_desc{ "content", &c::content },
                       field_desc{ "media", &c::media },
                       field_desc{ "description", &c::description },
                       field_desc{ "spoiler", &c::spoiler },
                       field_desc{ "items", &c::items },
                       field_desc{ "file", &c::file },
                       field_desc{ "name", &c::name },
                       field_desc{ "size", &c::size },
                       field_desc{ "divider", &c::divider },
                       field_desc{ "spacing", &c::spacing },
                       field_desc{ "accent_color", &c::accent_color } };
  }
};

struct message_reference {
  std::optional<int32_t> type; // 0 default (reply), 1 forward
  std::optional<snowflake> message_id;
  std::optional<snowflake> channel_id;
  std::optional<snowflake> guild_id;
  std::optional<bool> fail_if_not_exists;
  SPECTACLES_FIELDS(message_reference, type, message_id, channel_id, guild_id, fail_if_not_exists)
};

struct message_interaction_metadata {
  snowflake id;
  int32_t type = 0;
  models::user user;
  std::map<std::string, snowflake> authorizing_integration_owners;
  std::optional<snowflake> original_response_message_id;
  std::optional<snowflake> interacted_message_id;
  std::optional<box<message_interaction_metadata>> triggering_interaction_metadata;
  std::optional<models::user> target_user;
  std::optional<snowflake> target_message_id;
  SPECTACLES_FIELDS(message_interaction_metadata, id, type, user, authorizing_integration_owners,
                    original_response_message_id, interacted_message_id,
                    triggering_interaction_metadata, target_user, target_message_id)
};

/// The deprecated `interaction` of a message, still sent.
struct message_interaction {
  snowflake id;
  int32_t type = 0;
  std::string name;
  models::user user;
  std::optional<guild_member> member;
  SPECTACLES_FIELDS(message_interaction, id, type, name, user, member)
};

struct poll_media {
  std::optional<std::string> text;
  std::optional<models::emoji> emoji;
  SPECTACLES_FIELDS(poll_media, text, emoji)
};

struct poll_answer {
  std::optional<int32_t> answer_id;
  models::poll_media poll_media;
  SPECTACLES_FIELDS(poll_answer, answer_id, poll_media)
};

struct poll_answer_count {
  int32_t id = 0;
  int32_t count = 0;
  bool me_voted = false;
  SPECTACLES_FIELDS(poll_answer_count, id, count, me_voted)
};

struct poll_results {
  bool is_finalized = false;
  std::vector<poll_answer_count> answer_counts;
  SPECTACLES_FIELDS(poll_results, is_finalized, answer_counts)
};

struct poll {
  poll_media question;
  std::vector<poll_answer> answers;
  nullable<timestamp> expiry;
  bool allow_multiselect = false;
  int32_t layout_type = 1;
  std::optional<poll_results> results;
  SPECTACLES_FIELDS(poll, question, answers, expiry, allow_multiselect, layout_type, results)
};

struct message_call {
  std::vector<snowflake> participants;
  std::optional<nullable<timestamp>> ended_timestamp;
  SPECTACLES_FIELDS(message_call, participants, ended_timestamp)
};

struct role_subscription_data {
  snowflake role_subscription_listing_id;
  std::string tier_name;
  int32_t total_months_subscribed = 0;
  bool is_renewal = false;
  SPECTACLES_FIELDS(role_subscription_data, role_subscription_listing_id, tier_name,
                    total_months_subscribed, is_renewal)
};

struct message;

/// Objects a message or an interaction refers to by id (interactions/receiving-and-responding.mdx
/// § Resolved Data Structure).
struct resolved_data {
  std::optional<std::map<snowflake, user>> users;
  std::optional<std::map<snowflake, guild_member>> members;
  std::optional<std::map<snowflake, role>> roles;
  std::optional<std::map<snowflake, channel>> channels;
  std::optional<std::map<snowflake, box<message>>> messages;
  std::optional<std::map<snowflake, attachment>> attachments;
  SPECTACLES_FIELDS(resolved_data, users, members, roles, channels, messages, attachments)
};

/// A mentioned user, with the partial member Discord adds in guild messages.
struct user_mention : user {
  std::optional<guild_member> member;
  SPECTACLES_FIELDS_EXTEND(user_mention, user, member)
};

struct message_snapshot {
  box<models::message> message; // a partial message: type, content, embeds, attachments, ...
  SPECTACLES_FIELDS(message_snapshot, message)
};

/// Message types (message.mdx § Message Types); unknown values are kept.
enum class message_type : int32_t {
  default_ = 0,
  recipient_add = 1,
  recipient_remove = 2,
  call = 3,
  channel_name_change = 4,
  channel_icon_change = 5,
  channel_pinned_message = 6,
  user_join = 7,
  guild_boost = 8,
  thread_created = 18,
  reply = 19,
  chat_input_command = 20,
  thread_starter_message = 21,
  context_menu_command = 23,
  auto_moderation_action = 24,
  poll_result = 46,
};

struct message {
  snowflake id;
  snowflake channel_id;
  models::user author;
  std::string content;
  models::timestamp timestamp;
  nullable<models::timestamp> edited_timestamp;
  bool tts = false;
  bool mention_everyone = false;
  std::vector<user_mention> mentions;
  std::vector<snowflake> mention_roles;
  std::optional<std::vector<channel_mention>> mention_channels;
  std::vector<attachment> attachments;
  std::vector<embed> embeds;
  std::optional<std::vector<reaction>> reactions;
  std::optional<raw_json> nonce; // a string or an integer
  bool pinned = false;
  std::optional<snowflake> webhook_id;
  message_type type = message_type::default_;
  std::optional<raw_json> activity;
  std::optional<raw_json> application;
  std::optional<snowflake> application_id;
  std::optional<uint64_t> flags;
  std::optional<models::message_reference> message_reference;
  std::optional<std::vector<message_snapshot>> message_snapshots;
  std::optional<nullable<box<message>>> referenced_message;
  heap_optional<message_interaction_metadata> interaction_metadata;
  heap_optional<message_interaction> interaction;
  heap_optional<channel> thread;
  std::optional<std::vector<component>> components;
  std::optional<std::vector<sticker_item>> sticker_items;
  std::optional<std::vector<sticker>> stickers;
  std::optional<int32_t> position;
  std::optional<models::role_subscription_data> role_subscription_data;
  heap_optional<resolved_data> resolved;
  heap_optional<models::poll> poll;
  std::optional<message_call> call;
  // MESSAGE_CREATE/UPDATE extras (gateway-events.mdx § Message Create)
  std::optional<snowflake> guild_id;
  std::optional<guild_member> member;
  std::optional<models::channel_type> channel_type;
  SPECTACLES_FIELDS(message, id, channel_id, author, content, timestamp, edited_timestamp, tts,
                    mention_everyone, mentions, mention_roles, mention_channels, attachments,
                    embeds, reactions, nonce, pinned, webhook_id, type, activity, application,
                    application_id, flags, message_reference, message_snapshots, referenced_message,
                    interaction_metadata, interaction, thread, components, sticker_items, stickers,
                    position, role_subscription_data, resolved, poll, call, guild_id, member,
                    channel_type)
};

} // namespace spectacles::models
