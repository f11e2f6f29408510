#include "models/message.hpp"

#include "models/detail/codec.hpp"

namespace spectacles::models {

SPECTACLES_JSON_INSTANTIATE(embed_footer, embed_media, embed_provider, embed_author, embed_field,
                            embed, attachment, reaction_count_details, reaction, select_option,
                            select_default_value, unfurled_media, media_gallery_item, component,
                            message_reference, message_interaction_metadata, message_interaction,
                            poll_media, poll_answer, poll_answer_count, poll_results, poll,
                            message_call, role_subscription_data, resolved_data, user_mention,
                            message_snapshot, message)

} // namespace spectacles::models
