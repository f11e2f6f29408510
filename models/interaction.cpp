#include "models/interaction.hpp"

#include "models/detail/codec.hpp"

namespace spectacles::models {

SPECTACLES_JSON_INSTANTIATE(interaction_data_option, interaction_data, interaction_guild,
                            entitlement, interaction, application_command_option_choice,
                            application_command_option, application_command,
                            application_command_permission, guild_application_command_permissions,
                            allowed_mentions, interaction_callback_data, interaction_response)

} // namespace spectacles::models
