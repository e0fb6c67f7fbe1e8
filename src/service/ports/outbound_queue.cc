#include "service/ports/outbound_queue.h"

namespace chatshop::service {

whatsapp::InboundEvent UndeliveredReply::AsFailedStatus() const {
  whatsapp::InboundEvent failed;
  failed.kind = whatsapp::InboundEvent::Kind::kStatus;
  failed.phone_number_id = phone_number_id;
  failed.customer = recipient;
  failed.id = "outbox-" + std::to_string(outbox_id);  // no wamid: Meta never accepted it
  failed.type = "failed";
  failed.data = {{"id", failed.id},
                 {"status", "failed"},
                 {"recipient_id", recipient},
                 {"biz_opaque_callback_data", failed.id},
                 {"errors", nlohmann::json::array({{{"code", meta_code}, {"title", error}}})}};
  failed.raw = failed.data;
  return failed;
}

}  // namespace chatshop::service
