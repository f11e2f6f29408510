#include "models/application.hpp"

#include "models/detail/codec.hpp"

namespace spectacles::models {

SPECTACLES_JSON_INSTANTIATE(application, sku, subscription, integration_account, integration,
                            webhook, invite, ban, audit_log_change, audit_log_entry,
                            auto_moderation_action_metadata, auto_moderation_action,
                            auto_moderation_trigger_metadata, auto_moderation_rule)

} // namespace spectacles::models
