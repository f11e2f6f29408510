// Hand-written edge cases for the models (issue 3): every channel type, every interaction type,
// the components v2 layout components, null vs missing, huge and invalid snowflakes, escaped
// unicode, unknown event names, unknown enum values and unknown fields.
//
// Where the input is written in the order of the model's field list, encode(decode(x)) must give
// x back byte for byte; that is the strongest check and most cases use it.
#include "models/events.hpp"

#define CAF_SUITE models.edge_cases
#include "caf/test/unit_test.hpp"

#include <simdjson.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <new>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <typeindex>
#include <variant>
#include <vector>

using namespace spectacles::models;

namespace {

template <class E>
int as_int(E e) {
  return static_cast<int>(e);
}

// Decodes `json` as T, encodes it again and decodes that: both decodes must agree.
// Returns the encoded text ("" when anything failed, which the caller's exact check reports).
template <class T>
std::string round_trip(const std::string& json, T* decoded = nullptr) {
  auto first = decode<T>(json);
  if (!first) {
    CAF_MESSAGE("decode failed: " << first.error().message);
    return {};
  }
  std::string text = encode(*first);
  auto second = decode<T>(text);
  if (!second) {
    CAF_MESSAGE("re-decode failed: " << second.error().message);
    return {};
  }
  if (!(*second == *first)) {
    CAF_MESSAGE("decode(encode(x)) != x for " << json);
    return {};
  }
  if (decoded)
    *decoded = std::move(*first);
  return text;
}

// The error decode_event gives for `d` of event `name` ("" when it decoded).
std::string event_error(std::string_view name, std::string_view d) {
  auto ev = decode_event(name, d);
  return ev ? std::string{} : ev.error().message;
}

} // namespace

// -- channel types ------------------------------------------------------------------------------

CAF_TEST(every channel type decodes and re encodes byte for byte) {
  struct channel_case {
    int type;
    std::string json; // in field-list order
  };
  const std::string user_a = R"({"id":"82198898841029460","username":"test",)"
                             R"("discriminator":"9999","global_name":null,)"
                             R"("avatar":"33ecab261d4681afa4d85a04691c4a01"})";
  const std::string user_b = R"({"id":"82198898841029461","username":"test2",)"
                             R"("discriminator":"0","global_name":"Two","avatar":null})";
  const std::string thread_tail
    = R"("message_count":1,"member_count":5,"thread_metadata":{"archived":false,)"
      R"("auto_archive_duration":1440,"archive_timestamp":"2021-04-12T23:40:39.855793+00:00",)"
      R"("locked":false},"member":{"id":"41771983444115457","user_id":"82198898841029460",)"
      R"("join_timestamp":"2021-04-12T23:40:39.855793+00:00","flags":0},"flags":0,)"
      R"("total_message_sent":1)";
  std::vector<channel_case> cases = {
    { 0, R"({"id":"41771983423143937","type":0,"guild_id":"41771983423143938","position":6,)"
         R"("permission_overwrites":[{"id":"41771983423143938","type":0,"allow":"1024",)"
         R"("deny":"2048"},{"id":"82198898841029460","type":1,"allow":"0","deny":"8"}],)"
         R"("name":"general","topic":"24/7 chat about how to gank Mike #2","nsfw":true,)"
         R"("last_message_id":"155117677105512449","rate_limit_per_user":2,)"
         R"("parent_id":"399942396007890945","last_pin_timestamp":null,)"
         R"("default_auto_archive_duration":1440})" },
    { 1, R"({"id":"319674150115610528","type":1,"last_message_id":"3343820033257021450",)"
         R"("recipients":[)"
           + user_a + "]}" },
    { 2, R"({"id":"155101607195836416","type":2,"guild_id":"41771983423143938","position":5,)"
         R"("permission_overwrites":[],"name":"ROCKET CHEESE","nsfw":false,)"
         R"("last_message_id":null,"bitrate":64000,"user_limit":0,"rate_limit_per_user":0,)"
         R"("parent_id":null,"rtc_region":null,"video_quality_mode":1,"status":"in a meeting"})" },
    { 3, R"({"id":"319674150115710528","type":3,"name":"Some test channel",)"
         R"("last_message_id":"3343820033257021450","recipients":[)"
           + user_a + "," + user_b
           + R"(],"icon":null,"owner_id":"82198898841029460",)"
             R"("application_id":"41771983423143939","managed":true})" },
    { 4, R"({"id":"399942396007890945","type":4,"guild_id":"41771983423143938","position":0,)"
         R"("permission_overwrites":[],"name":"Test","nsfw":false})" },
    { 5, R"({"id":"41771983444115456","type":5,"guild_id":"41771983423143938","position":1,)"
         R"("permission_overwrites":[],"name":"announcements","topic":null,"nsfw":false,)"
         R"("last_message_id":"155117677105512449","parent_id":null})" },
    { 10, R"({"id":"41771983444115457","type":10,"guild_id":"41771983423143938",)"
          R"("name":"release notes","last_message_id":"155117677105512449",)"
          R"("rate_limit_per_user":0,"owner_id":"82198898841029460",)"
          R"("parent_id":"41771983444115456",)"
            + thread_tail + "}" },
    { 11, R"({"id":"41771983444115458","type":11,"guild_id":"41771983423143938",)"
          R"("name":"don't buy dota-2","last_message_id":"155117677105512449",)"
          R"("rate_limit_per_user":2,"owner_id":"82198898841029460",)"
          R"("parent_id":"41771983423143937",)"
            + thread_tail + R"(,"applied_tags":["41771983444115500"],"newly_created":true})" },
    { 12, R"({"id":"41771983444115459","type":12,"guild_id":"41771983423143938",)"
          R"("name":"secret","owner_id":"82198898841029460","parent_id":"41771983423143937",)"
          R"("member_count":2,"thread_metadata":{"archived":true,"auto_archive_duration":60,)"
          R"("archive_timestamp":null,"locked":true,"invitable":false,"create_timestamp":null}})" },
    { 13, R"({"id":"41771983444115460","type":13,"guild_id":"41771983423143938","position":2,)"
          R"("permission_overwrites":[],"name":"stage","topic":null,"nsfw":false,)"
          R"("bitrate":64000,"user_limit":10000,"rtc_region":"us-east"})" },
    { 14, R"({"id":"41771983444115461","type":14,"guild_id":"41771983423143938","position":0,)"
          R"("name":"directory"})" },
    { 15, R"({"id":"41771983444115462","type":15,"guild_id":"41771983423143938","position":3,)"
          R"("permission_overwrites":[],"name":"forum","topic":"read the guidelines",)"
          R"("nsfw":false,"last_message_id":null,"rate_limit_per_user":0,"parent_id":null,)"
          R"("default_auto_archive_duration":4320,"flags":16,"available_tags":[{)"
          R"("id":"41771983444115500","name":"bug","moderated":true,"emoji_id":null,)"
          R"("emoji_name":"🐛"},{"id":"41771983444115501","name":"idea","moderated":false,)"
          R"("emoji_id":"41771983444115600","emoji_name":null}],"default_reaction_emoji":{)"
          R"("emoji_id":"41771983444115600","emoji_name":null},)"
          R"("default_thread_rate_limit_per_user":0,"default_sort_order":null,)"
          R"("default_forum_layout":1})" },
    { 16, R"({"id":"41771983444115463","type":16,"guild_id":"41771983423143938","position":4,)"
          R"("permission_overwrites":[],"name":"media","nsfw":false,"flags":0,)"
          R"("available_tags":[],"default_reaction_emoji":null,"default_sort_order":1})" },
  };
  for (auto& c : cases) {
    CAF_MESSAGE("channel type " << c.type);
    channel ch;
    CAF_CHECK_EQUAL(round_trip<channel>(c.json, &ch), c.json);
    CAF_CHECK_EQUAL(as_int(ch.type), c.type);
    // The gateway path decodes the same object as an event.
    std::string_view name = c.type >= 10 && c.type <= 12 ? "THREAD_CREATE" : "CHANNEL_CREATE";
    auto ev = decode_event(name, c.json);
    CAF_REQUIRE(ev.ok());
    auto* got = std::get_if<channel>(&ev->payload);
    CAF_REQUIRE(got != nullptr);
    CAF_CHECK(*got == ch);
  }
}

CAF_TEST(channel type specific fields hold the exact values) {
  auto text = decode<channel>(R"({"id":"41771983423143937","type":0,"permission_overwrites":[)"
                              R"({"id":"41771983423143938","type":0,"allow":"1024","deny":)"
                              R"("2048"}],"nsfw":true,"rate_limit_per_user":2})");
  CAF_REQUIRE(text.ok());
  CAF_CHECK_EQUAL(text->id.value(), 41771983423143937u);
  CAF_CHECK(text->type == channel_type::guild_text);
  CAF_REQUIRE(text->permission_overwrites.has_value());
  CAF_REQUIRE_EQUAL(text->permission_overwrites->size(), 1u);
  CAF_CHECK_EQUAL((*text->permission_overwrites)[0].allow.bits(), 1024u);
  CAF_CHECK_EQUAL((*text->permission_overwrites)[0].deny.bits(), 2048u);
  CAF_CHECK_EQUAL(text->rate_limit_per_user.value_or(-1), 2);

  auto dm = decode<channel>(R"({"id":"1","type":1,"recipients":[{"id":"82198898841029460",)"
                            R"("username":"test","discriminator":"9999"}]})");
  CAF_REQUIRE(dm.ok());
  CAF_CHECK(dm->type == channel_type::dm);
  CAF_REQUIRE(dm->recipients.has_value());
  CAF_REQUIRE_EQUAL(dm->recipients->size(), 1u);
  CAF_CHECK_EQUAL((*dm->recipients)[0].id.value(), 82198898841029460u);
  CAF_CHECK_EQUAL((*dm->recipients)[0].username, "test");
  CAF_CHECK(!dm->guild_id.has_value());

  auto voice = decode<channel>(R"({"id":"2","type":2,"bitrate":96000,"user_limit":25,)"
                               R"("rtc_region":null,"status":null})");
  CAF_REQUIRE(voice.ok());
  CAF_CHECK(voice->type == channel_type::guild_voice);
  CAF_CHECK_EQUAL(voice->bitrate.value_or(0), 96000);
  CAF_CHECK_EQUAL(voice->user_limit.value_or(0), 25);
  CAF_REQUIRE(voice->rtc_region.has_value());
  CAF_CHECK(voice->rtc_region->is_null());
  CAF_REQUIRE(voice->status.has_value());
  CAF_CHECK(voice->status->is_null());

  auto thread = decode<channel>(
    R"({"id":"3","type":12,"member_count":2,"thread_metadata":{"archived":true,)"
    R"("auto_archive_duration":60,"archive_timestamp":"2021-04-12T23:40:39.855793+00:00",)"
    R"("locked":true,"invitable":false}})");
  CAF_REQUIRE(thread.ok());
  CAF_CHECK(thread->type == channel_type::private_thread);
  CAF_REQUIRE(thread->thread_metadata.has_value());
  CAF_CHECK_EQUAL(thread->thread_metadata->archived, true);
  CAF_CHECK_EQUAL(thread->thread_metadata->auto_archive_duration, 60);
  CAF_REQUIRE(thread->thread_metadata->archive_timestamp.has_value());
  CAF_CHECK_EQUAL(thread->thread_metadata->archive_timestamp->to_string(),
                  "2021-04-12T23:40:39.855793+00:00");
  CAF_CHECK_EQUAL(thread->thread_metadata->invitable.value_or(true), false);
  CAF_CHECK(!thread->thread_metadata->create_timestamp.has_value());

  auto forum = decode<channel>(
    R"({"id":"4","type":15,"available_tags":[{"id":"10","name":"bug","moderated":true,)"
    R"("emoji_id":null,"emoji_name":"🐛"}],"default_reaction_emoji":{"emoji_id":"11",)"
    R"("emoji_name":null},"default_sort_order":null,"default_forum_layout":2})");
  CAF_REQUIRE(forum.ok());
  CAF_CHECK(forum->type == channel_type::guild_forum);
  CAF_REQUIRE(forum->available_tags.has_value());
  CAF_REQUIRE_EQUAL(forum->available_tags->size(), 1u);
  const auto& tag = (*forum->available_tags)[0];
  CAF_CHECK_EQUAL(tag.id.value(), 10u);
  CAF_CHECK_EQUAL(tag.moderated, true);
  CAF_CHECK(tag.emoji_id.is_null());
  CAF_REQUIRE(tag.emoji_name.has_value());
  CAF_CHECK_EQUAL(*tag.emoji_name, "\xF0\x9F\x90\x9B");
  CAF_REQUIRE(forum->default_reaction_emoji.has_value());
  CAF_REQUIRE(forum->default_reaction_emoji->has_value());
  CAF_CHECK_EQUAL((*forum->default_reaction_emoji)->emoji_id->value(), 11u);
  CAF_REQUIRE(forum->default_sort_order.has_value());
  CAF_CHECK(forum->default_sort_order->is_null());
  CAF_CHECK_EQUAL(forum->default_forum_layout.value_or(0), 2);
}

// -- interactions -------------------------------------------------------------------------------

CAF_TEST(a ping interaction is minimal and re encodes exactly) {
  std::string json = R"({"id":"1","application_id":"2","type":1,"token":"tok","version":1,)"
                     R"("entitlements":[],"authorizing_integration_owners":{}})";
  interaction in;
  CAF_CHECK_EQUAL(round_trip<interaction>(json, &in), json);
  CAF_CHECK(in.type == interaction_type::ping);
  CAF_CHECK(!in.data.has_value());
  CAF_CHECK_EQUAL(in.token, "tok");
}

CAF_TEST(an application command carries options and resolved data) {
  std::string json = R"({"id":"900000000000000001","application_id":"900000000000000002",)"
                     R"("type":2,"data":{"id":"900000000000000003","name":"ban","type":1,)"
                     R"("resolved":{"users":{"900000000000000010":{"id":"900000000000000010",)"
                     R"("username":"victim","discriminator":"0","global_name":null,)"
                     R"("avatar":null}},"members":{"900000000000000010":{"nick":null,)"
                     R"("roles":["900000000000000020"],)"
                     R"("joined_at":"2021-01-01T00:00:00.000000+00:00","flags":0,)"
                     R"("permissions":"1024"}},"roles":{"900000000000000020":{)"
                     R"("id":"900000000000000020","name":"mod","color":3447003,"hoist":true,)"
                     R"("position":3,"permissions":"8","managed":false,"mentionable":true,)"
                     R"("flags":0}},"channels":{"900000000000000030":{)"
                     R"("id":"900000000000000030","type":0,"name":"logs",)"
                     R"("permissions":"2048"}},"attachments":{"900000000000000040":{)"
                     R"("id":"900000000000000040","filename":"proof.png",)"
                     R"("content_type":"image/png","size":2048,)"
                     R"("url":"https://cdn.example/proof.png",)"
                     R"("proxy_url":"https://media.example/proof.png","height":10,)"
                     R"("width":20}}},"options":[{"name":"user","type":6,)"
                     R"("value":"900000000000000010"},{"name":"reason","type":3,)"
                     R"("value":"spam \"links\""},{"name":"days","type":4,"value":7},)"
                     R"({"name":"silent","type":5,"value":true},{"name":"ratio","type":10,)"
                     R"("value":0.5},{"name":"proof","type":11,"value":"900000000000000040"}],)"
                     R"("guild_id":"900000000000000050"},"guild_id":"900000000000000050",)"
                     R"("channel_id":"900000000000000030","token":"aW50ZXJhY3Rpb24",)"
                     R"("version":1,"app_permissions":"2248473465835073","locale":"en-US",)"
                     R"("guild_locale":"de","entitlements":[],)"
                     R"("authorizing_integration_owners":{"0":"900000000000000050"},)"
                     R"("context":0})";
  interaction in;
  CAF_CHECK_EQUAL(round_trip<interaction>(json, &in), json);
  CAF_CHECK(in.type == interaction_type::application_command);
  CAF_REQUIRE(in.data.has_value());
  const auto& data = *in.data;
  CAF_CHECK_EQUAL(data.name.value_or(""), "ban");
  CAF_CHECK_EQUAL(data.type.value_or(0), 1);
  CAF_REQUIRE(data.options.has_value());
  CAF_REQUIRE_EQUAL(data.options->size(), 6u);
  const auto& opts = *data.options;
  CAF_CHECK(opts[0].type == application_command_option_type::user);
  CAF_CHECK_EQUAL(opts[0].value->text, "\"900000000000000010\"");
  CAF_CHECK_EQUAL(opts[1].value->text, R"("spam \"links\"")");
  CAF_CHECK(opts[2].type == application_command_option_type::integer);
  CAF_CHECK_EQUAL(opts[2].value->text, "7");
  CAF_CHECK_EQUAL(opts[3].value->text, "true");
  CAF_CHECK_EQUAL(opts[4].value->text, "0.5");
  CAF_CHECK(opts[5].type == application_command_option_type::attachment);
  CAF_REQUIRE(data.resolved.has_value());
  const auto& res = *data.resolved;
  snowflake victim{ 900000000000000010 };
  CAF_REQUIRE(res.users.has_value());
  CAF_REQUIRE_EQUAL(res.users->count(victim), 1u);
  CAF_CHECK_EQUAL(res.users->at(victim).username, "victim");
  CAF_REQUIRE(res.members.has_value());
  const auto& member = res.members->at(victim);
  CAF_CHECK(!member.user.has_value());
  CAF_REQUIRE(member.nick.has_value());
  CAF_CHECK(member.nick->is_null());
  CAF_REQUIRE_EQUAL(member.roles.size(), 1u);
  CAF_CHECK_EQUAL(member.roles[0].value(), 900000000000000020u);
  CAF_CHECK_EQUAL(member.permissions->bits(), 1024u);
  CAF_REQUIRE(res.roles.has_value());
  CAF_CHECK_EQUAL(res.roles->at(snowflake{ 900000000000000020 }).color.rgb, 3447003u);
  CAF_REQUIRE(res.channels.has_value());
  CAF_CHECK_EQUAL(res.channels->at(snowflake{ 900000000000000030 }).permissions->bits(), 2048u);
  CAF_REQUIRE(res.attachments.has_value());
  const auto& proof = res.attachments->at(snowflake{ 900000000000000040 });
  CAF_CHECK_EQUAL(proof.filename, "proof.png");
  CAF_CHECK_EQUAL(proof.size, 2048u);
  CAF_CHECK_EQUAL(in.app_permissions->bits(), 2248473465835073u);
  CAF_CHECK_EQUAL(in.authorizing_integration_owners.at("0").value(), 900000000000000050u);
}

CAF_TEST(sub command groups nest their options) {
  auto in = decode<interaction>(
    R"({"id":"1","application_id":"2","type":2,"data":{"id":"3","name":"config","type":1,)"
    R"("options":[{"name":"set","type":2,"options":[{"name":"key","type":1,"options":[)"
    R"({"name":"value","type":3,"value":"x"}]}]}]},"token":"t","version":1})");
  CAF_REQUIRE(in.ok());
  const auto& group = in->data->options->at(0);
  CAF_CHECK(group.type == application_command_option_type::sub_command_group);
  CAF_CHECK(!group.value.has_value());
  const auto& sub = group.options->at(0);
  CAF_CHECK(sub.type == application_command_option_type::sub_command);
  CAF_CHECK_EQUAL(sub.name, "key");
  CAF_CHECK_EQUAL(sub.options->at(0).value->text, "\"x\"");
}

CAF_TEST(message component interactions carry custom id values and the message) {
  std::string json
    = R"({"id":"1","application_id":"2","type":3,"data":{"custom_id":"pick_color",)"
      R"("component_type":3,"values":["red","blue"]},"channel_id":"5","token":"t",)"
      R"("version":1,"message":{"id":"6","channel_id":"5","author":{"id":"2",)"
      R"("username":"bot","discriminator":"0","global_name":null,"avatar":null,"bot":true},)"
      R"("content":"pick one","timestamp":"2024-01-01T00:00:00.000000+00:00",)"
      R"("edited_timestamp":null,"tts":false,"mention_everyone":false,"mentions":[],)"
      R"("mention_roles":[],"attachments":[],"embeds":[],"pinned":false,"type":0,)"
      R"("components":[{"type":1,"components":[{"type":3,"custom_id":"pick_color",)"
      R"("options":[{"label":"Red","value":"red","default":true},{"label":"Blue",)"
      R"("value":"blue"}],"min_values":1,"max_values":2}]}]},"entitlements":[],)"
      R"("authorizing_integration_owners":{}})";
  interaction in;
  CAF_CHECK_EQUAL(round_trip<interaction>(json, &in), json);
  CAF_CHECK(in.type == interaction_type::message_component);
  CAF_CHECK_EQUAL(in.data->custom_id.value_or(""), "pick_color");
  CAF_CHECK(in.data->component_type == component_type::string_select);
  CAF_REQUIRE(in.data->values.has_value());
  CAF_CHECK_EQUAL(in.data->values->size(), 2u);
  CAF_CHECK_EQUAL(in.data->values->at(1), "blue");
  CAF_REQUIRE(in.message.has_value());
  CAF_CHECK_EQUAL(in.message->content, "pick one");
  const auto& select = in.message->components->at(0).components->at(0);
  CAF_CHECK(select.type == component_type::string_select);
  CAF_CHECK_EQUAL(select.options->at(0).is_default.value_or(false), true);
  CAF_CHECK(!select.options->at(1).is_default.has_value());
}

CAF_TEST(autocomplete marks the focused option) {
  auto ev = decode_event(
    "INTERACTION_CREATE",
    R"({"id":"1","application_id":"2","type":4,"data":{"id":"3","name":"search","type":1,)"
    R"("options":[{"name":"query","type":3,"value":"fo","focused":true},{"name":"limit",)"
    R"("type":4,"value":10}]},"token":"t","version":1})");
  CAF_REQUIRE(ev.ok());
  auto* in = std::get_if<interaction>(&ev->payload);
  CAF_REQUIRE(in != nullptr);
  CAF_CHECK(in->type == interaction_type::application_command_autocomplete);
  const auto& opts = *in->data->options;
  CAF_CHECK_EQUAL(opts[0].focused.value_or(false), true);
  CAF_CHECK_EQUAL(opts[0].value->text, "\"fo\"");
  CAF_CHECK(!opts[1].focused.has_value());
  CAF_CHECK_EQUAL(opts[1].value->text, "10");
}

CAF_TEST(modal submit carries the text inputs in rows and labels) {
  std::string json
    = R"({"id":"1","application_id":"2","type":5,"data":{"custom_id":"profile",)"
      R"("components":[{"type":1,"components":[{"type":4,"custom_id":"name",)"
      R"("value":"Ada"}]},{"type":18,"id":3,"component":{"type":4,"id":4,"custom_id":"bio",)"
      R"("value":"line 1\nline 2"}}]},"token":"t","version":1,"entitlements":[],)"
      R"("authorizing_integration_owners":{}})";
  interaction in;
  CAF_CHECK_EQUAL(round_trip<interaction>(json, &in), json);
  CAF_CHECK(in.type == interaction_type::modal_submit);
  const auto& comps = *in.data->components;
  CAF_REQUIRE_EQUAL(comps.size(), 2u);
  CAF_CHECK(comps[0].type == component_type::action_row);
  CAF_CHECK_EQUAL(comps[0].components->at(0).value.value_or(""), "Ada");
  CAF_CHECK(comps[1].type == component_type::label);
  CAF_REQUIRE(comps[1].component_.has_value());
  CAF_CHECK_EQUAL((*comps[1].component_)->custom_id.value_or(""), "bio");
  CAF_CHECK_EQUAL((*comps[1].component_)->value.value_or(""), "line 1\nline 2");
}

// -- components v2 ------------------------------------------------------------------------------

CAF_TEST(components v2 layout components round trip byte for byte) {
  std::vector<std::string> cases = {
    // text display
    R"({"type":10,"id":3,"content":"# Title with \"quotes\""})",
    // thumbnail
    R"({"type":11,"id":4,"media":{"url":"https://example.com/a.png"},"description":"alt",)"
    R"("spoiler":true})",
    // section with text and a thumbnail accessory
    R"({"type":9,"id":2,"components":[{"type":10,"content":"one"},{"type":10,)"
    R"("content":"two"}],"accessory":{"type":11,"media":{"url":"attachment://t.png"},)"
    R"("description":null}})",
    // section with a link button accessory
    R"({"type":9,"components":[{"type":10,"content":"x"}],"accessory":{"type":2,"style":5,)"
    R"("label":"Open","url":"https://example.com"}})",
    // media gallery
    R"({"type":12,"items":[{"media":{"url":"https://example.com/1.png",)"
    R"("proxy_url":"https://media.example/1.png","height":100,"width":200,)"
    R"("content_type":"image/png","attachment_id":"1234"},"description":null},{"media":{)"
    R"("url":"attachment://2.png","height":null,"width":null},"spoiler":true}]})",
    // file
    R"({"type":13,"spoiler":false,"file":{"url":"attachment://report.pdf"},)"
    R"("name":"report.pdf","size":12345})",
    // separator
    R"({"type":14,"divider":true,"spacing":2})",
    // container holding all of them
    R"({"type":17,"id":1,"components":[{"type":9,"components":[{"type":10,"content":"a"}],)"
    R"("accessory":{"type":11,"media":{"url":"https://example.com/a.png"}}},{"type":12,)"
    R"("items":[{"media":{"url":"https://example.com/1.png"}}]},{"type":13,"file":{)"
    R"("url":"attachment://f.txt"}},{"type":14,"divider":false,"spacing":1},{"type":1,)"
    R"("components":[{"type":2,"style":1,"label":"Go","custom_id":"go"}]}],"spoiler":true,)"
    R"("accent_color":703487})",
    // container with a null accent colour
    R"({"type":17,"components":[],"accent_color":null})",
  };
  for (auto& json : cases)
    CAF_CHECK_EQUAL(round_trip<component>(json), json);
}

CAF_TEST(components v2 fields hold the exact values) {
  auto c = decode<component>(
    R"({"type":17,"accent_color":703487,"spoiler":true,"components":[{"type":9,)"
    R"("components":[{"type":10,"content":"hi"}],"accessory":{"type":11,"media":{)"
    R"("url":"https://example.com/a.png","width":64,"height":null}}},{"type":12,"items":[{)"
    R"("media":{"url":"u1"},"description":"d1","spoiler":true}]},{"type":13,"file":{)"
    R"("url":"attachment://f.txt"},"name":"f.txt","size":9},{"type":14,"divider":true,)"
    R"("spacing":2}]})");
  CAF_REQUIRE(c.ok());
  CAF_CHECK(c->type == component_type::container);
  CAF_REQUIRE(c->accent_color.has_value());
  CAF_REQUIRE(c->accent_color->has_value());
  CAF_CHECK_EQUAL((*c->accent_color)->rgb, 703487u);
  CAF_CHECK_EQUAL(c->spoiler.value_or(false), true);
  const auto& kids = *c->components;
  CAF_REQUIRE_EQUAL(kids.size(), 4u);
  CAF_CHECK(kids[0].type == component_type::section);
  CAF_CHECK_EQUAL(kids[0].components->at(0).content.value_or(""), "hi");
  CAF_REQUIRE(kids[0].accessory.has_value());
  const auto& thumb = **kids[0].accessory;
  CAF_CHECK(thumb.type == component_type::thumbnail);
  CAF_CHECK_EQUAL(thumb.media->url, "https://example.com/a.png");
  CAF_CHECK_EQUAL(**thumb.media->width, 64);
  CAF_CHECK(thumb.media->height->is_null());
  CAF_CHECK(kids[1].type == component_type::media_gallery);
  CAF_CHECK_EQUAL(kids[1].items->at(0).media.url, "u1");
  CAF_CHECK_EQUAL(**kids[1].items->at(0).description, "d1");
  CAF_CHECK(kids[2].type == component_type::file);
  CAF_CHECK_EQUAL(kids[2].file->url, "attachment://f.txt");
  CAF_CHECK_EQUAL(kids[2].size.value_or(0), 9u);
  CAF_CHECK(kids[3].type == component_type::separator);
  CAF_CHECK_EQUAL(kids[3].divider.value_or(false), true);
  CAF_CHECK_EQUAL(kids[3].spacing.value_or(0), 2);
}

CAF_TEST(a components v2 message round trips through the event decoder) {
  std::string d
    = R"({"id":"7","channel_id":"5","author":{"id":"2","username":"bot","discriminator":"0"},)"
      R"("flags":32768,"components":[{"type":17,"components":[{"type":10,"content":"v2"},)"
      R"({"type":14}]}]})";
  auto ev = decode_event("MESSAGE_CREATE", d);
  CAF_REQUIRE(ev.ok());
  auto* m = std::get_if<message>(&ev->payload);
  CAF_REQUIRE(m != nullptr);
  CAF_CHECK_EQUAL(m->flags.value_or(0), 32768u);
  CAF_CHECK_EQUAL(m->components->at(0).components->at(0).content.value_or(""), "v2");
  auto again = decode_event("MESSAGE_CREATE", encode_payload(ev->payload));
  CAF_REQUIRE(again.ok());
  CAF_CHECK(*again == *ev);
}

// -- null vs missing ----------------------------------------------------------------------------

CAF_TEST(a nullable field that is null stays null and one that is absent stays absent) {
  // A PATCH body: rename, clear the topic, leave the parent alone.
  std::string patch = R"({"id":"1","type":0,"name":"renamed","topic":null})";
  channel ch;
  CAF_CHECK_EQUAL(round_trip<channel>(patch, &ch), patch);
  CAF_REQUIRE(ch.name.has_value());
  CAF_REQUIRE(ch.name->has_value());
  CAF_CHECK_EQUAL(**ch.name, "renamed");
  CAF_REQUIRE(ch.topic.has_value());
  CAF_CHECK(ch.topic->is_null());
  CAF_CHECK(!ch.parent_id.has_value());

  // The same distinction from C++: emplace a null, set a value, reset to absent.
  channel body;
  body.id = snowflake{ 1 };
  body.topic.emplace();
  CAF_CHECK_EQUAL(encode(body), R"({"id":"1","type":0,"topic":null})");
  body.topic = nullable<std::string>{ "t" };
  CAF_CHECK_EQUAL(encode(body), R"({"id":"1","type":0,"topic":"t"})");
  body.topic.reset();
  CAF_CHECK_EQUAL(encode(body), R"({"id":"1","type":0})");

  // Role tags: present-but-null means true, absent means false; all three stay apart.
  role_tags absent, null_tag, bot;
  CAF_CHECK_EQUAL(round_trip<role_tags>("{}", &absent), "{}");
  CAF_CHECK_EQUAL(round_trip<role_tags>(R"({"premium_subscriber":null})", &null_tag),
                  R"({"premium_subscriber":null})");
  CAF_CHECK_EQUAL(round_trip<role_tags>(R"({"bot_id":"5","premium_subscriber":true})", &bot),
                  R"({"bot_id":"5","premium_subscriber":true})");
  CAF_CHECK(!absent.premium_subscriber.has_value());
  CAF_REQUIRE(null_tag.premium_subscriber.has_value());
  CAF_CHECK(null_tag.premium_subscriber->is_null());
  CAF_CHECK(!(absent == null_tag));
  CAF_CHECK_EQUAL(bot.bot_id->value(), 5u);
  CAF_CHECK_EQUAL(**bot.premium_subscriber, true);

  // A plain nullable (always sent) is written as null when empty.
  thread_metadata meta;
  CAF_CHECK_EQUAL(encode(meta), R"({"archived":false,"auto_archive_duration":0,)"
                                R"("archive_timestamp":null,"locked":false})");
}

CAF_TEST(a null for an optional only field reads as absent) {
  // Discord sometimes sends null for a `field?`: it becomes absent, and is not sent back.
  channel ch;
  CAF_CHECK_EQUAL(round_trip<channel>(R"({"id":"1","type":0,"position":null,"nsfw":null})", &ch),
                  R"({"id":"1","type":0})");
  CAF_CHECK(!ch.position.has_value());
  CAF_CHECK(!ch.nsfw.has_value());
}

// -- snowflakes ---------------------------------------------------------------------------------

CAF_TEST(the largest snowflake survives as a string and as an integer) {
  user u;
  std::string max_string = R"({"id":"18446744073709551615","username":"u","discriminator":"0",)"
                           R"("global_name":null,"avatar":null})";
  CAF_CHECK_EQUAL(round_trip<user>(max_string, &u), max_string);
  CAF_CHECK_EQUAL(u.id.value(), UINT64_MAX);

  user v;
  CAF_CHECK_EQUAL(round_trip<user>(R"({"id":18446744073709551615,"username":"u",)"
                                   R"("discriminator":"0","global_name":null,"avatar":null})",
                                   &v),
                  max_string); // re-encoded as the string Discord uses
  CAF_CHECK_EQUAL(v.id.value(), UINT64_MAX);

  auto zero = decode<user>(R"({"id":"0"})");
  CAF_REQUIRE(zero.ok());
  CAF_CHECK_EQUAL(zero->id.value(), 0u);
}

CAF_TEST(invalid snowflakes give errors naming their path) {
  auto author = [](std::string_view id) {
    return event_error("MESSAGE_CREATE",
                       R"({"id":"1","channel_id":"2","author":{"id":)" + std::string(id) + "}}");
  };
  CAF_CHECK_EQUAL(author(R"("-1")"),
                  R"(MESSAGE_CREATE d.author.id: expected a snowflake string, got "-1")");
  CAF_CHECK_EQUAL(author("-1"), "MESSAGE_CREATE d.author.id: expected a snowflake string, got -1");
  CAF_CHECK_EQUAL(author("1.5"),
                  "MESSAGE_CREATE d.author.id: expected a snowflake string, got 1.5");
  CAF_CHECK_EQUAL(author("1e3"),
                  "MESSAGE_CREATE d.author.id: expected a snowflake string, got 1000.0");
  CAF_CHECK_EQUAL(author(R"("18446744073709551616")"),
                  "MESSAGE_CREATE d.author.id: expected a snowflake string, "
                  R"(got "18446744073709551616")");
  CAF_CHECK_EQUAL(author(R"("+1")"),
                  R"(MESSAGE_CREATE d.author.id: expected a snowflake string, got "+1")");
  CAF_CHECK_EQUAL(author(R"("")"),
                  R"(MESSAGE_CREATE d.author.id: expected a snowflake string, got "")");
  CAF_CHECK_EQUAL(author("true"),
                  "MESSAGE_CREATE d.author.id: expected a snowflake string, got true");
  // Beyond uint64 as an integer: the JSON parser refuses the number itself, and the error still
  // names where it is.
  CAF_CHECK_EQUAL(author("18446744073709551616"),
                  "MESSAGE_CREATE d.author.id: expected a number that fits in 64 bits, "
                  "got 18446744073709551616");
  CAF_CHECK_EQUAL(
    event_error("MESSAGE_CREATE", R"({"mention_roles":["1",99999999999999999999999]})"),
    "MESSAGE_CREATE d.mention_roles[1]: expected a number that fits in 64 bits, "
    "got 99999999999999999999999");
  // Inside arrays the index is part of the path.
  CAF_CHECK_EQUAL(event_error("MESSAGE_CREATE", R"({"mention_roles":["1","x"]})"),
                  R"(MESSAGE_CREATE d.mention_roles[1]: expected a snowflake string, got "x")");
  CAF_CHECK_EQUAL(
    event_error("GUILD_MEMBER_UPDATE", R"({"guild_id":"1","roles":[],"user":{"id":[1]}})"),
    "GUILD_MEMBER_UPDATE d.user.id: expected a snowflake string, got an array");
}

// -- escaped unicode ----------------------------------------------------------------------------

CAF_TEST(escaped unicode decodes to utf8 and re encodes to json that decodes equal) {
  std::string json = R"({"id":"1","username":"caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \u0001\t",)"
                     R"("discriminator":"0","global_name":"日本語","avatar":null})";
  auto u = decode<user>(json);
  CAF_REQUIRE(u.ok());
  CAF_CHECK_EQUAL(u->username, "caf\xC3\xA9 \xF0\x9F\x98\x80 \"q\" \\ / \x01\t");
  CAF_CHECK_EQUAL(*u->global_name, "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E");
  std::string text = encode(*u);
  // UTF-8 is written as it is; quotes, backslashes and control characters are escaped.
  CAF_CHECK_EQUAL(text, "{\"id\":\"1\",\"username\":\"caf\xC3\xA9 \xF0\x9F\x98\x80 \\\"q\\\" "
                        "\\\\ / \\u0001\\t\",\"discriminator\":\"0\",\"global_name\":"
                        "\"\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\",\"avatar\":null}");
  auto again = decode<user>(text);
  CAF_REQUIRE(again.ok());
  CAF_CHECK(*again == *u);

  std::string control;
  for (char c = 1; c < 0x20; ++c)
    control += c;
  std::string out;
  write_json_string(out, control);
  CAF_CHECK_EQUAL(out, "\"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r"
                       "\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017"
                       "\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\"");

  // A lone surrogate is not valid JSON text for a string: an error, not a crash.
  CAF_CHECK(!decode<user>(R"({"id":"1","username":"\ud83d"})").ok());
}

// -- unknown events, enum values and fields -----------------------------------------------------

CAF_TEST(unknown event names keep their name and raw json) {
  std::string raw = R"({"guild_id":"1", "new":[1,{"x":null}],"s":"\u00e9"})";
  auto ev = decode_event("SOMETHING_NEW_2030", raw);
  CAF_REQUIRE(ev.ok());
  CAF_CHECK_EQUAL(ev->name, "SOMETHING_NEW_2030");
  auto* u = std::get_if<unknown_event>(&ev->payload);
  CAF_REQUIRE(u != nullptr);
  CAF_CHECK_EQUAL(u->name, "SOMETHING_NEW_2030");
  CAF_CHECK_EQUAL(u->raw, raw); // exactly as it came, whitespace and escapes included
  CAF_CHECK_EQUAL(encode_payload(ev->payload), raw);
  // Case matters: a known name in other case is not that event.
  auto lower = decode_event("message_create", "{}");
  CAF_REQUIRE(lower.ok());
  CAF_CHECK(std::holds_alternative<unknown_event>(lower->payload));
}

CAF_TEST(unknown enum values are kept and re encoded as they came) {
  channel ch;
  CAF_CHECK_EQUAL(round_trip<channel>(R"({"id":"1","type":99})", &ch), R"({"id":"1","type":99})");
  CAF_CHECK_EQUAL(as_int(ch.type), 99);

  component c;
  CAF_CHECK_EQUAL(round_trip<component>(R"({"type":42,"custom_id":"x"})", &c),
                  R"({"type":42,"custom_id":"x"})");
  CAF_CHECK_EQUAL(as_int(c.type), 42);

  interaction in;
  std::string ij = R"({"id":"1","application_id":"2","type":77,"token":"t","version":1,)"
                   R"("entitlements":[],"authorizing_integration_owners":{}})";
  CAF_CHECK_EQUAL(round_trip<interaction>(ij, &in), ij);
  CAF_CHECK_EQUAL(as_int(in.type), 77);

  user u;
  std::string uj = R"({"id":"1","username":"u","discriminator":"0","global_name":null,)"
                   R"("avatar":null,"premium_type":9})";
  CAF_CHECK_EQUAL(round_trip<user>(uj, &u), uj);
  CAF_CHECK_EQUAL(as_int(*u.premium_type), 9);

  auto ev = decode_event("MESSAGE_CREATE", R"({"id":"1","type":999,"channel_type":-3})");
  CAF_REQUIRE(ev.ok());
  auto* m = std::get_if<message>(&ev->payload);
  CAF_REQUIRE(m != nullptr);
  CAF_CHECK_EQUAL(as_int(m->type), 999);
  CAF_CHECK_EQUAL(as_int(*m->channel_type), -3);
  auto text = encode_payload(ev->payload);
  CAF_CHECK(text.find(R"("type":999)") != std::string::npos);
  CAF_CHECK(text.find(R"("channel_type":-3})") != std::string::npos);

  // Beyond the enum's 32 bits is an error, not a silent truncation.
  CAF_CHECK_EQUAL(event_error("CHANNEL_CREATE", R"({"id":"1","type":4294967296})"),
                  "CHANNEL_CREATE d.type: expected an integer, got 4294967296");
}

CAF_TEST(unknown fields are ignored wherever they are) {
  std::string long_key(70, 'k');
  std::string json = R"({"mystery":{"id":"999","username":"x"},"id":"5","list":[{"id":"7"}],)"
                     R"("username":"a","future_flag":true,")"
                     + long_key
                     + R"(":null,"discriminator":"0","global_name":null,"avatar":null,)"
                       R"("clan":{"tag":"t"},"display_name_styles":null})";
  user u;
  CAF_CHECK_EQUAL(round_trip<user>(json, &u),
                  R"({"id":"5","username":"a","discriminator":"0","global_name":null,)"
                  R"("avatar":null})");
  CAF_CHECK_EQUAL(u.id.value(), 5u);
  CAF_CHECK_EQUAL(u.username, "a");
  // A key that only shares a prefix with a known one is not that field.
  auto v = decode<user>(R"({"id":"5","idx":"6","username_":"b","username":"c"})");
  CAF_REQUIRE(v.ok());
  CAF_CHECK_EQUAL(v->id.value(), 5u);
  CAF_CHECK_EQUAL(v->username, "c");
}

// The decoder guesses each key as the field that followed the previous one last time; a guess
// must never stand in for a key that is only alike (same length and outer bytes).
CAF_TEST(keys in any order and alternating orders decode the same) {
  const std::string canonical
    = R"({"id":"5","username":"a","discriminator":"0","global_name":"g","avatar":"h"})";
  const std::string orders[] = {
    canonical,
    R"({"avatar":"h","global_name":"g","discriminator":"0","username":"a","id":"5"})",
    R"({"username":"a","mystery":1,"id":"5","avatar":"h","discriminator":"0","global_name":"g"})",
  };
  for (int round = 0; round < 3; ++round)
    for (const auto& json : orders)
      CAF_CHECK_EQUAL(round_trip<user>(json), canonical);
  // Same length, head and tail as avatar_decoration_data, right after the field it followed.
  auto first = decode<user>(R"({"id":"5","avatar_decoration_data":null})");
  CAF_REQUIRE(first.ok());
  CAF_CHECK(first->avatar_decoration_data.has_value());
  auto alike = decode<user>(R"({"id":"5","avatar_decXXXtion_data":{"asset":"zz"}})");
  CAF_REQUIRE(alike.ok());
  CAF_CHECK(!alike->avatar_decoration_data.has_value());
}

// An unknown key of up to 7 bytes is remembered by its bytes and length after the field it
// followed, and skipped without a lookup the next time; only that exact key may be skipped.
CAF_TEST(a remembered unknown key never hides a field) {
  for (int round = 0; round < 3; ++round) {
    auto a = decode<user>(R"({"id":"5","mystery":1,"username":"a"})");
    CAF_REQUIRE(a.ok());
    CAF_CHECK_EQUAL(a->username, "a");
  }
  // Known short keys where "mystery" was, and keys alike in length or in bytes.
  auto b = decode<user>(R"({"id":"5","bot":true,"email":"e","mysterz":2,"username":"b"})");
  CAF_REQUIRE(b.ok());
  CAF_CHECK(b->bot == std::optional<bool>{ true });
  CAF_REQUIRE(b->email && *b->email);
  CAF_CHECK_EQUAL(**b->email, "e");
  CAF_CHECK_EQUAL(b->username, "b");
  // "bot" and "bot\0" (an escaped NUL) differ only in length: the length is part of the word.
  for (int round = 0; round < 3; ++round) {
    auto c = decode<user>(R"({"id":"5","bot\u0000":true,"username":"c"})");
    CAF_REQUIRE(c.ok());
    CAF_CHECK(!c->bot.has_value());
    auto d = decode<user>(R"({"id":"5","bot":false,"username":"d"})");
    CAF_REQUIRE(d.ok());
    CAF_CHECK(d->bot == std::optional<bool>{ false });
  }
}

namespace {

template <class T>
constexpr bool is_optional_v = false;
template <class T>
constexpr bool is_optional_v<std::optional<T>> = true;
template <class T>
constexpr bool is_nullable_v = false;
template <class T>
constexpr bool is_nullable_v<nullable<T>> = true;
template <class T>
constexpr bool is_vector_v = false;
template <class T>
constexpr bool is_vector_v<std::vector<T>> = true;
template <class T>
constexpr bool is_heap_optional_v = false;
template <class T>
constexpr bool is_heap_optional_v<heap_optional<T>> = true;
template <class T>
constexpr bool is_box_v = false;
template <class T>
constexpr bool is_box_v<box<T>> = true;
template <class T>
constexpr bool is_map_v = false;
template <class K, class T>
constexpr bool is_map_v<std::map<K, T>> = true;

template <class T>
struct inner;
template <template <class...> class W, class T, class... Rest>
struct inner<W<T, Rest...>> {
  using type = T;
};
template <class F>
struct field_member;
template <class C, class M>
struct field_member<field_desc<C, M>> {
  using type = M;
};

// The decoder builds models default-initialised (default_init in models/describe.hpp) rather
// than value-initialised, which is only the same value when every scalar member has an
// initialiser. This walks every model reachable from the roots below and builds each one over
// memory full of garbage: it must equal T{}.
struct default_init_check {
  std::set<std::type_index> seen;
  std::vector<std::string> bad;

  template <class M>
  void member_type() {
    if constexpr (
      is_optional_v<
        M> || is_heap_optional_v<M> || is_nullable_v<M> || is_vector_v<M> || is_box_v<M>)
      member_type<typename inner<M>::type>();
    else if constexpr (is_map_v<M>)
      member_type<typename M::mapped_type>();
    else if constexpr (described<M>)
      model<M>();
  }

  template <class T>
  void model() {
    if (!seen.insert(std::type_index(typeid(T))).second)
      return;
    void* raw = ::operator new (sizeof(T), std::align_val_t{ alignof(T) });
    std::memset(raw, 0xA5, sizeof(T));
    T* built = ::new (raw) T; // default-initialised, as default_init<T> builds it
    if (!(*built == T{}))
      bad.push_back(typeid(T).name());
    built->~T();
    ::operator delete (raw, std::align_val_t{ alignof(T) });
    std::apply(
      [&](const auto&... f) {
        (member_type<member_of<decltype(f)>>(), ...);
      },
      T::fields());
  }

  template <class F>
  using member_of = typename field_member<std::remove_cvref_t<F>>::type;
};

template <class... T>
void check_payload_types(default_init_check& check, std::variant<T...>*) {
  (check.member_type<T>(), ...);
}

} // namespace

CAF_TEST(default initialised models equal value initialised ones) {
  default_init_check check;
  check_payload_types(check, static_cast<event_payload*>(nullptr));
  check.member_type<identify>();
  check.member_type<resume>();
  check.member_type<presence_update>();
  check.member_type<voice_state_update>();
  check.member_type<request_guild_members>();
  check.member_type<request_soundboard_sounds>();
  check.member_type<request_channel_info>();
  check.member_type<hello>();
  check.member_type<interaction_response>();
  check.member_type<application_command>();
  check.member_type<application>();
  check.member_type<sku>();
  check.member_type<webhook>();
  check.member_type<ban>();
  check.member_type<message_delete>();
  CAF_CHECK_GREATER(check.seen.size(), 100u);
  for (auto& name : check.bad)
    CAF_MESSAGE("default-initialised != value-initialised: " << name);
  CAF_CHECK(check.bad.empty());
}

// raw_json keeps a value as simdjson::minify writes it; the decoder writes the scalar forms
// itself, and must give the same bytes.
CAF_TEST(raw json values are kept exactly as minify writes them) {
  const char* values[] = {
    R"("nonce_1")",
    R"("")",
    R"("quote \" backslash \\ slash \/ tab \t nl \n cr \r bs \b ff \f")",
    R"("ctl \u0001 \u001f del \u007f nul \u0000 end")",
    R"("unicode \u00e9 \ud83d\ude00 é 😀")",
    "null",
    "true",
    "false",
    "0",
    "-1",
    "1234567890123456789",
    "-9223372036854775808",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551615",
    "1.5",
    "-0.0",
    "1e300",
    R"({"a":[1,2,{"b":null}],"c":"d"})",
    "[]",
  };
  simdjson::dom::parser parser;
  for (const char* v : values) {
    std::string json = std::string(R"({"opcode":8,"retry_after":1,"meta":)") + v + "}";
    auto decoded = decode<rate_limited>(json);
    CAF_REQUIRE(decoded.ok());
    simdjson::padded_string padded{ std::string(v) };
    simdjson::dom::element el;
    CAF_REQUIRE(!parser.parse(padded).get(el));
    CAF_CHECK_EQUAL(decoded->meta.text, simdjson::minify(el));
  }
}
