#include "models/events.hpp"

#include "models/detail/codec.hpp"

namespace spectacles::models {

SPECTACLES_JSON_INSTANTIATE(resumed, rate_limited, auto_moderation_action_execution,
                            channel_info_entry, channel_info, channel_pins_update, thread_list_sync,
                            thread_members_update, guild_user_event, guild_emojis_update,
                            guild_stickers_update, guild_ref_event, guild_members_chunk,
                            guild_role_event, guild_role_delete, guild_scheduled_event_user,
                            guild_soundboard_sound_delete, guild_soundboard_sounds,
                            integration_delete, invite_delete, message_delete, message_delete_bulk,
                            message_reaction, message_reaction_remove_all, message_poll_vote,
                            typing_start, voice_channel_effect_send,
                            voice_channel_start_time_update, voice_channel_status_update,
                            voice_server_update)

} // namespace spectacles::models
