#include "service/ports/outbox.h"

namespace chatshop::service {

nlohmann::json OutboundJob::ToJson() const {
  return {{"outbox_id", outbox_id}, {"phone_number_id", phone_number_id}, {"recipient", recipient}};
}

Result<OutboundJob> OutboundJob::FromJson(const nlohmann::json& json) {
  if (!json.is_object() || !json.contains("outbox_id") || !json["outbox_id"].is_number_integer() ||
      !json.contains("phone_number_id") || !json["phone_number_id"].is_string() ||
      !json.contains("recipient") || !json["recipient"].is_string()) {
    return MakeError(ErrorCode::kInvalidArgument, "not an outbound job");
  }
  return OutboundJob{json["outbox_id"].get<int64_t>(), json["phone_number_id"].get<std::string>(),
                     json["recipient"].get<std::string>()};
}

}  // namespace chatshop::service
