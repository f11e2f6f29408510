// JSON codecs of the REST parameter structs and of the list replies the typed
// calls decode (models instantiate only single objects).
#include "actors/rest_params.hpp"

#include "models/detail/codec.hpp"

namespace spectacles::models {

using namespace spectacles::actors;
using spectacles::actors::gateway_bot_reply;
using spectacles::actors::session_start_limit_reply;

SPECTACLES_JSON_INSTANTIATE(message_create, message_edit, channel_modify, permission_edit,
                            thread_create, guild_channel_create, guild_modify, member_modify,
                            role_params, ban_create, dm_create, webhook_message,
                            application_command_create, bulk_delete,
                            actors::session_start_limit_reply, actors::gateway_bot_reply)
SPECTACLES_JSON_INSTANTIATE(std::vector<models::message>, std::vector<models::channel>,
                            std::vector<models::guild_member>, std::vector<models::role>,
                            std::vector<models::ban>, std::vector<models::user>,
                            std::vector<models::application_command>,
                            std::vector<application_command_create>)

} // namespace spectacles::models
