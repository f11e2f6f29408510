#include "models/guild.hpp"

#include "models/detail/codec.hpp"

namespace spectacles::models {

SPECTACLES_JSON_INSTANTIATE(voice_state, activity_timestamps, activity_emoji, activity_party,
                            activity_assets, activity_button, activity, client_status, presence,
                            scheduled_event_recurrence_rule, scheduled_event_metadata,
                            scheduled_event, stage_instance, soundboard_sound, unavailable_guild,
                            welcome_screen_channel, welcome_screen, incidents_data, guild)

} // namespace spectacles::models
